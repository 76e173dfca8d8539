import { type Duration, parseDuration } from "../primitives/duration.js";
import { AuthConfigError } from "../errors.js";

/** One limit: at most `perAccount` / `perIp` counted events per `window`; `false` turns a side off. */
export interface RateLimitRule {
  /** Per normalised account (email). */
  perAccount?: number | false;
  /** Per client IP (IPv6 grouped by /64). */
  perIp?: number | false;
  /** The fixed window the counts live in. */
  window?: Duration;
}

/**
 * The built-in limiter, stored in the `rate_limits` table (shared by every instance). `false` turns it
 * off; an external `limiter` replaces it.
 */
export interface RateLimitOptions {
  /** Failed sign-ins per client IP (per account: `loginLockout`). @default { perIp: 100, window: "15m" } */
  login?: RateLimitRule | false;
  /**
   * Wrong second-factor answers per client IP. Per account this is `twoFactor.lockoutThreshold`, so
   * `perAccount` is refused here. @default { perIp: 50, window: "15m" }
   */
  twoFactor?: RateLimitRule | false;
  /** Password reset requests. @default { perAccount: 5, perIp: 20, window: "1h" } */
  passwordReset?: RateLimitRule | false;
  /** Confirmation resends. @default { perAccount: 5, perIp: 20, window: "1h" } */
  confirmationResend?: RateLimitRule | false;
  /**
   * Self-service registrations (`req.auth.register`, `POST /register`) per client IP, whether the
   * address was free or taken. Counted per IP only, so `perAccount` is refused.
   * @default { perIp: 10, window: "1h" }
   */
  register?: RateLimitRule | false;
}

/** The actions the built-in limiter covers. */
export type RateLimitedAction = keyof RateLimitOptions;

/** A resolved rule: counts are null when that side is off. */
export interface ResolvedRateLimitRule {
  perAccount: number | null;
  perIp: number | null;
  windowMs: number;
}

/** Every action's resolved rule, or null when the action is not limited. */
export type ResolvedRateLimits = Record<RateLimitedAction, ResolvedRateLimitRule | null>;

const DEFAULTS: Record<RateLimitedAction, Required<RateLimitRule>> = {
  login: { perAccount: false, perIp: 100, window: "15m" },
  twoFactor: { perAccount: false, perIp: 50, window: "15m" },
  passwordReset: { perAccount: 5, perIp: 20, window: "1h" },
  confirmationResend: { perAccount: 5, perIp: 20, window: "1h" },
  register: { perAccount: false, perIp: 10, window: "1h" },
};

/** Actions counted per client IP only; the account side is refused (`perAccount` must be false). */
const PER_IP_ONLY: Partial<Record<RateLimitedAction, string>> = {
  twoFactor: "false (per account, use twoFactor.lockoutThreshold)",
  register: "false (registrations are counted per client IP)",
};

const MAX_WINDOW_MS = 366 * 24 * 3600_000;

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

function count(option: string, value: number | false | undefined, fallback: number | false): number | null {
  const v = value === undefined ? fallback : value;
  if (v === false) return null;
  if (!Number.isInteger(v) || v < 1 || v > 1_000_000) fail(option, "an integer from 1 to 1000000, or false");
  return v;
}

/** Validates `rateLimits` and applies the defaults. @throws {AuthConfigError} naming the option */
export function resolveRateLimits(options: RateLimitOptions | false | undefined): ResolvedRateLimits {
  const out = {} as ResolvedRateLimits;
  if (options !== undefined && options !== false && (typeof options !== "object" || options === null))
    fail("rateLimits", "an object or false");
  for (const action of Object.keys(DEFAULTS) as RateLimitedAction[]) {
    const rule = options === false ? false : options?.[action];
    if (rule === false) {
      out[action] = null;
      continue;
    }
    if (rule !== undefined && (typeof rule !== "object" || rule === null))
      fail(`rateLimits.${action}`, "an object or false");
    const d = DEFAULTS[action];
    const windowMs = parseDuration(rule?.window ?? d.window);
    if (windowMs === null || windowMs <= 0 || windowMs > MAX_WINDOW_MS)
      fail(`rateLimits.${action}.window`, "a positive duration of at most 366 days");
    const ipOnly = PER_IP_ONLY[action];
    if (ipOnly && rule?.perAccount !== undefined && rule.perAccount !== false)
      fail(`rateLimits.${action}.perAccount`, ipOnly);
    const perAccount = count(`rateLimits.${action}.perAccount`, rule?.perAccount, d.perAccount);
    const perIp = count(`rateLimits.${action}.perIp`, rule?.perIp, d.perIp);
    out[action] = perAccount === null && perIp === null ? null : { perAccount, perIp, windowMs };
  }
  return out;
}
