import { createHash } from "node:crypto";
import type { Response } from "supertest";
import type { TestApp } from "./app.js";

/** Every `Set-Cookie` header of a response. */
export function setCookies(res: Response): string[] {
  const header = res.headers["set-cookie"] as string | string[] | undefined;
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** The whole `Set-Cookie` line for one cookie name, if the response set it. */
export function setCookie(res: Response, name: string): string | undefined {
  return setCookies(res).find((c) => c.startsWith(`${name}=`));
}

/** `name=value` of a cookie the response set, ready for a `Cookie` header. */
export function cookiePair(res: Response, name: string): string | undefined {
  return setCookie(res, name)?.split(";")[0];
}

/** The decoded value of a cookie the response set. */
export function cookieValue(res: Response, name: string): string | undefined {
  const pair = cookiePair(res, name);
  return pair === undefined ? undefined : decodeURIComponent(pair.slice(name.length + 1));
}

/** True when a `Set-Cookie` line deletes the cookie (an expiry in the past or `Max-Age=0`). */
export function isClearing(line: string): boolean {
  if (/;\s*max-age=0(;|$)/i.test(line)) return true;
  const expires = /;\s*expires=([^;]+)/i.exec(line)?.[1];
  return expires !== undefined && new Date(expires).getTime() <= Date.now();
}

/** The raw express-session id inside a signed `connect.sid` cookie value (`s:<sid>.<signature>`). */
export function sidOf(cookieValueOrPair: string): string {
  const value = decodeURIComponent(cookieValueOrPair.replace(/^connect\.sid=/, ""));
  if (!value.startsWith("s:")) throw new Error(`not a signed session cookie: ${value}`);
  return value.slice(2, value.lastIndexOf("."));
}

/** The raw session id of the `connect.sid` cookie a response set. */
export function sessionIdOf(res: Response): string {
  const pair = cookiePair(res, "connect.sid");
  if (!pair) throw new Error("the response set no session cookie");
  return sidOf(pair);
}

/** SHA-256 hex, computed independently of the library. */
export function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** A supertest agent signed in through `/login`, with its cookies. */
export interface SignedIn {
  agent: ReturnType<TestApp["agent"]>;
  /** The login response. */
  res: Response;
  /** `connect.sid=…` as set by the login. */
  sessionCookie: string;
  /** The raw session id. */
  sid: string;
  /** `remember_token=…` when `remember` was asked for. */
  rememberCookie: string | undefined;
}

/** Logs in on a new agent (the account must exist). */
export async function signIn(
  t: TestApp,
  email: string,
  password: string,
  options: { remember?: boolean; userAgent?: string } = {},
): Promise<SignedIn> {
  const agent = t.agent();
  let req = agent.post("/login").send({ email, password, remember: options.remember ?? false });
  if (options.userAgent) req = req.set("User-Agent", options.userAgent);
  const res = await req;
  if (res.status !== 200) throw new Error(`login failed with ${res.status}: ${JSON.stringify(res.body)}`);
  const sessionCookie = cookiePair(res, "connect.sid")!;
  return { agent, res, sessionCookie, sid: sidOf(sessionCookie), rememberCookie: cookiePair(res, "remember_token") };
}
