/** A test app whose start routes show both ways to begin a flow: synchronous `getAuthUrl()`, or after `ready()`. */
import type { AuthConfig } from "../../src/config.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { oauthRoutes } from "../oauth/helpers.js";

/**
 * The OAuth test app plus two start routes of its own: `/sync-start/:provider` calls `getAuthUrl()`
 * straight away (it never waits, nor starts discovery), `/ready-start/:provider` awaits `ready()` first.
 */
export function startRoutesApp(config: AuthConfig): TestApp {
  return createTestApp(config, {
    routes: (app) => {
      app.get("/sync-start/:provider", (req, res, next) => {
        try {
          res.redirect(req.auth.providers[String(req.params.provider)]!.getAuthUrl());
        } catch (err) {
          next(err);
        }
      });
      app.get("/ready-start/:provider", (req, res, next) => {
        const provider = req.auth.providers[String(req.params.provider)]!;
        provider.ready().then(() => res.redirect(provider.getAuthUrl()), next);
      });
      oauthRoutes(app);
    },
  });
}
