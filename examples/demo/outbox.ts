/**
 * DEVELOPMENT ONLY. A stand-in for an email (and SMS) service: every token or code the demo would send
 * is printed to the console and kept in memory, where `GET /dev/outbox` lists it. A real app mails a
 * link or texts a code instead and never logs or exposes either.
 */

/** What a message carries: an emailed link token, or a two-factor code sent by email or SMS. */
export type OutboxKind = "confirm-email" | "password-reset" | "two-factor-email" | "two-factor-sms";

/** One message the demo "sent". */
export interface OutboxMessage {
  kind: OutboxKind;
  to: string;
  /** The token or the code. */
  token: string;
  /** The request that would complete the flow, or the link to open. */
  next: string;
  /** The link a real email would hold (messages of the `/auth` pages). */
  url?: string;
  sentAt: string;
}

/** A two-factor code to deliver (the fields of the library's `twoFactor.deliver` message the demo uses). */
export interface OutboxCode {
  channel: "email" | "sms";
  to: string;
  code: string;
  purpose: "login" | "setup";
}

/** Keeps the latest messages (oldest dropped first) and optionally prints each one. */
export class DevOutbox {
  readonly messages: OutboxMessage[] = [];

  constructor(private readonly options: { print?: (line: string) => void; max?: number } = {}) {}

  /** An emailed link token (email confirmation, password reset). */
  send(kind: "confirm-email" | "password-reset", to: string, token: string): void {
    const next =
      kind === "confirm-email"
        ? `POST /email/confirm {"token":"${token}"}`
        : `POST /password/reset {"token":"${token}","password":"<new password>"}`;
    this.push(kind, to, token, next);
  }

  /** An emailed link from the `/auth` router's `mail` hooks (confirmation, reset). */
  sendLink(kind: "confirm-email" | "password-reset", link: { email: string; url: string; token: string }): void {
    this.push(kind, link.email, link.token, `open ${link.url}`, link.url);
  }

  /** A two-factor code, from the library's `twoFactor.deliver` callback. */
  sendCode({ channel, to, code, purpose }: OutboxCode): void {
    const next =
      purpose === "setup"
        ? `POST /2fa/${channel}/confirm {"code":"${code}"}`
        : `POST /login/2fa {"method":"${channel}","code":"${code}"}`;
    this.push(channel === "email" ? "two-factor-email" : "two-factor-sms", to, code, next);
  }

  private push(kind: OutboxKind, to: string, token: string, next: string, url?: string): void {
    this.messages.push({ kind, to, token, next, sentAt: new Date().toISOString(), ...(url ? { url } : {}) });
    const max = this.options.max ?? 50;
    if (this.messages.length > max) this.messages.splice(0, this.messages.length - max);
    this.options.print?.(`[dev outbox] ${kind} for ${to}: ${next}`);
  }
}
