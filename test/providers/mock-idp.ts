/** A stand-in OAuth/OIDC provider on 127.0.0.1: authorize, token (checks PKCE and client auth), JSON endpoints. */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const CLIENT_ID = "client-123";
export const CLIENT_SECRET = "s3cret-value";
export const REDIRECT_URI = "http://127.0.0.1/callback";

interface PendingCode {
  challenge: string | null;
  method: string | null;
  redirectUri: string | null;
  clientId: string | null;
  nonce: string | null;
}

/** A running mock provider. Mutate `json` / `idTokenClaims` per test. */
export interface MockIdp {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** GET responses by path: objects are sent as JSON, strings as raw text. Bearer-protected unless `public`. */
  json: Map<string, unknown>;
  /** Paths served without a bearer token (discovery). */
  publicPaths: Set<string>;
  /** Claims of the `id_token` the token endpoint returns; null = no id_token. */
  idTokenClaims: Record<string, unknown> | null;
  /** Forces the token endpoint to answer with this status and body. */
  tokenOverride: { status: number; body: string } | null;
  /**
   * Accept an authorization code again after it was redeemed (a lax provider), so a test can show that
   * the app itself refuses a replayed callback. @default false
   */
  reuseCodes: boolean;
  /** Every request seen: method, path and headers. */
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

/** base64url(SHA-256(verifier)), RFC 7636 S256. */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/** An unsigned JWT with the given claims (the library does not check signatures of token-endpoint ID tokens). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

export async function startMockIdp(): Promise<MockIdp> {
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Set<string>();
  const idp: MockIdp = {
    url: "",
    json: new Map(),
    publicPaths: new Set(["/.well-known/openid-configuration"]),
    idTokenClaims: null,
    tokenOverride: null,
    reuseCodes: false,
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const raw = typeof body === "string";
    res.writeHead(status, { "Content-Type": raw ? "text/plain" : "application/json" });
    res.end(raw ? body : JSON.stringify(body));
  };

  const token = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (idp.tokenOverride) return send(res, idp.tokenOverride.status, idp.tokenOverride.body);
    const form = new URLSearchParams(body);
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
    if (req.headers.authorization !== basic) return send(res, 401, { error: "invalid_client" });
    const pending = codes.get(form.get("code") ?? "");
    if (!idp.reuseCodes) codes.delete(form.get("code") ?? ""); // single use
    if (form.get("grant_type") !== "authorization_code" || !pending) return send(res, 400, { error: "invalid_grant" });
    if (pending.redirectUri !== form.get("redirect_uri")) return send(res, 400, { error: "invalid_grant" });
    const verifier = form.get("code_verifier");
    if (pending.method !== "S256" || verifier === null || s256(verifier) !== pending.challenge) {
      return send(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    }
    const accessToken = `at-${randomBytes(8).toString("hex")}`;
    accessTokens.add(accessToken);
    send(res, 200, {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: "rt-1",
      scope: "openid email",
      // Like a real IdP, the ID token echoes the authorization request's nonce (unless a test sets its own).
      ...(idp.idTokenClaims
        ? { id_token: fakeJwt({ ...(pending.nonce ? { nonce: pending.nonce } : {}), ...idp.idTokenClaims }) }
        : {}),
    });
  };

  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", idp.url);
      idp.requests.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, body });
      if (url.pathname === "/authorize") {
        const p = url.searchParams;
        const code = `code-${randomBytes(8).toString("hex")}`;
        codes.set(code, {
          challenge: p.get("code_challenge"),
          method: p.get("code_challenge_method"),
          redirectUri: p.get("redirect_uri"),
          clientId: p.get("client_id"),
          nonce: p.get("nonce"),
        });
        const back = new URL(p.get("redirect_uri") ?? REDIRECT_URI);
        back.searchParams.set("code", code);
        back.searchParams.set("state", p.get("state") ?? "");
        res.writeHead(302, { Location: back.toString() });
        return res.end();
      }
      if (url.pathname === "/token" && req.method === "POST") return token(req, res, body);
      if (!idp.json.has(url.pathname)) return send(res, 404, { message: "Not Found" });
      const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      if (!idp.publicPaths.has(url.pathname) && !accessTokens.has(bearer)) return send(res, 401, { message: "no" });
      send(res, 200, idp.json.get(url.pathname));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  idp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return idp;
}

/** Follows the authorization URL like a consenting user; returns the `code` and `state` sent back. */
export async function consent(url: URL): Promise<{ code: string; state: string }> {
  const res = await fetch(url, { redirect: "manual" });
  const location = new URL(res.headers.get("location") ?? "");
  return { code: location.searchParams.get("code") ?? "", state: location.searchParams.get("state") ?? "" };
}

/** A port on 127.0.0.1 with nothing listening. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Common client options pointing at the mock. */
export const client = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
