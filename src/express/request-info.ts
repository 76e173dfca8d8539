import type { Request } from "express";
import type { RequestInfo } from "../core/context.js";

/**
 * Client IP (as Express's `trust proxy` setting allows) and user agent of a request, and the acting
 * account: the one given, else the impersonating actor, so every row written while impersonating names
 * the actor.
 */
export function requestInfo(req: Request, actorAccountId: number | null = null): RequestInfo {
  const ua = req.headers["user-agent"];
  const auth = req.session?.auth;
  return {
    ip: typeof req.ip === "string" ? req.ip : (req.socket?.remoteAddress ?? null),
    userAgent: typeof ua === "string" ? ua.slice(0, 512) : null,
    actorAccountId: actorAccountId ?? (auth?.loggedIn ? (auth.actor?.accountId ?? null) : null),
  };
}

/**
 * Reads one cookie: from cookie-parser's `req.cookies` when mounted, else from the Cookie header.
 * Malformed headers and encodings yield undefined, never an exception.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const parsed = (req as { cookies?: Record<string, unknown> }).cookies?.[name];
  if (typeof parsed === "string") return parsed;
  const header = req.headers.cookie;
  if (typeof header !== "string" || header.length > 16_384) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
