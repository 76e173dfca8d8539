/** Express 4, installed under the package alias `express4`, typed as the Express 5 module it is tested against. */
declare module "express4" {
  const express: typeof import("express");
  export default express;
}
