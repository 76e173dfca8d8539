/** `alice@example.com` → `a***e@example.com`; local parts of 2 characters or fewer → `a***@…`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  const local = email.slice(0, at);
  const domain = email.slice(at);
  if (local.length <= 2) return `${local[0]}***${domain}`;
  return `${local[0]}${"*".repeat(local.length - 2)}${local.at(-1)}${domain}`;
}

/** `+15551234567` → `+1*******67`: the same length as the input, first two and last two kept. */
export function maskPhone(phone: string): string {
  if (phone.length < 5) return "*".repeat(phone.length);
  return `${phone.slice(0, 2)}${"*".repeat(phone.length - 4)}${phone.slice(-2)}`;
}

/** E.164 phone numbers only: `+` and 7 to 15 digits. */
export function isPhoneNumber(value: unknown): value is string {
  return typeof value === "string" && /^\+[1-9]\d{6,14}$/.test(value);
}
