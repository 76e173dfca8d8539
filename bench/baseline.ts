/**
 * The baseline: bare express + express-session with the library's session store and no auth logic.
 * `/login` regenerates the session (as any sign-in should) and stores a user id; `/me` reads it.
 */
import express from "express";
import session from "express-session";
import { createSessionStore, type DatabaseInput } from "../src/index.js";

declare module "express-session" {
  interface SessionData {
    userId?: number;
  }
}

export function createBaselineApp(db: DatabaseInput, secret: string): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));
  app.use(
    session({
      name: "sid",
      store: createSessionStore({ db }),
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax", secure: "auto" },
    }),
  );
  app.post("/login", (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = 1;
      res.json({ ok: true });
    });
  });
  app.get("/me", (req, res) => {
    if (req.session.userId === undefined) return void res.status(401).json({ error: "not logged in" });
    res.json({ id: req.session.userId });
  });
  return app;
}
