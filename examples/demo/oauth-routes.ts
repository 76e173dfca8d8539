/**
 * The demo's OAuth routes over `req.auth.providers`: start a sign-in, the provider's callback, connect
 * and disconnect a provider from the signed-in account. Only configured providers answer.
 */
import express from "express";
import { SecondFactorRequiredError, UnknownProviderError, UserNotLoggedInError } from "../../src/index.js";
import type { KeyedProvidersConfig, ProviderHandle } from "../../src/index.js";

function handleOf(req: express.Request): ProviderHandle {
  const handle = req.auth.providers[String(req.params.provider)];
  if (!handle) throw new UnknownProviderError();
  return handle;
}

/**
 * The provider settings the demo reads from the environment: `GITHUB_CLIENT_ID`/`_SECRET`,
 * `GOOGLE_CLIENT_ID`/`_SECRET`, `AZURE_CLIENT_ID`/`_SECRET`/`_TENANT_ID`, `OIDC_ISSUER`/`_CLIENT_ID`/`_SECRET`.
 * Callback URLs are `<baseUrl>/oauth/<name>/callback`; register exactly those at the provider.
 */
export function providersFromEnv(env: NodeJS.ProcessEnv, baseUrl: string): KeyedProvidersConfig {
  const providers: KeyedProvidersConfig = {};
  const client = (prefix: string, name: string) => ({
    clientId: env[`${prefix}_CLIENT_ID`]!,
    clientSecret: env[`${prefix}_CLIENT_SECRET`] ?? null,
    redirectUri: `${baseUrl}/oauth/${name}/callback`,
  });
  if (env.GITHUB_CLIENT_ID) providers.github = client("GITHUB", "github");
  if (env.GOOGLE_CLIENT_ID) providers.google = client("GOOGLE", "google");
  if (env.AZURE_CLIENT_ID) providers.azure = { ...client("AZURE", "azure"), tenantId: env.AZURE_TENANT_ID ?? "common" };
  if (env.OIDC_CLIENT_ID && env.OIDC_ISSUER) providers.oidc = { ...client("OIDC", "oidc"), issuer: env.OIDC_ISSUER };
  return providers;
}

/** The OAuth routes. Mount before the 404 handler and `authErrorHandler()`. */
export function oauthRoutes(): express.Router {
  const router = express.Router();

  // Which providers this app offers, and which ones the signed-in account has connected.
  router.get("/oauth", async (req, res) => {
    res.json({
      configured: Object.keys(req.auth.providers),
      linked: req.auth.isLoggedIn() ? await req.auth.listProviders() : [],
    });
  });

  // `?remember=1` asks for a remember-me cookie once the sign-in completes.
  router.get("/oauth/:provider", (req, res) => {
    res.redirect(handleOf(req).getAuthUrl({ remember: req.query.remember === "1" }));
  });

  router.get("/oauth/:provider/callback", async (req, res) => {
    try {
      const { isNewUser } = await handleOf(req).handleCallback(req);
      res.json({ ok: true, isNewUser, email: req.auth.getEmail() });
    } catch (err) {
      // The account has two-factor on: the session now waits for POST /login/2fa, as after a password.
      if (err instanceof SecondFactorRequiredError)
        return void res.status(401).json({ error: err.code, next: "POST /login/2fa" });
      throw err;
    }
  });

  // Connect a provider to the signed-in account (needs a sign-in within the last 10 minutes).
  router.get("/oauth/:provider/link", (req, res) => {
    if (!req.auth.isLoggedIn()) throw new UserNotLoggedInError();
    res.redirect(handleOf(req).getLinkUrl());
  });

  router.post("/oauth/:provider/unlink", async (req, res) => {
    await req.auth.unlinkProvider(String(req.params.provider));
    res.json({ ok: true });
  });

  return router;
}
