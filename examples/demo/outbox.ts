/**
 * DEVELOPMENT ONLY. A stand-in for an email service: every token the demo would mail is printed to the
 * console and kept in memory, where `GET /dev/outbox` lists it. A real app mails a link instead and
 * never logs or exposes a token.
 */

/** One message the demo "sent". */
export interface OutboxMessage {
  kind: "confirm-email" | "password-reset";
  to: string;
  token: string;
  /** The request that would complete the flow. */
  next: string;
  sentAt: string;
}

/** Keeps the latest messages (oldest dropped first) and optionally prints each one. */
export class DevOutbox {
  readonly messages: OutboxMessage[] = [];

  constructor(private readonly options: { print?: (line: string) => void; max?: number } = {}) {}

  send(kind: OutboxMessage["kind"], to: string, token: string): void {
    const next =
      kind === "confirm-email"
        ? `POST /email/confirm {"token":"${token}"}`
        : `POST /password/reset {"token":"${token}","password":"<new password>"}`;
    this.messages.push({ kind, to, token, next, sentAt: new Date().toISOString() });
    const max = this.options.max ?? 50;
    if (this.messages.length > max) this.messages.splice(0, this.messages.length - max);
    this.options.print?.(`[dev outbox] ${kind} for ${to}: ${next}`);
  }
}
