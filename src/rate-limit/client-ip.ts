import { isIPv4, isIPv6 } from "node:net";

/** Expands an IPv6 address (no zone) to its eight 16-bit groups, or null when malformed. */
function ipv6Groups(ip: string): number[] | null {
  let text = ip;
  let tail: number[] = [];
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const parts = v4[1]!.split(".").map(Number);
    tail = [(parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!];
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...rest].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

/**
 * The rate-limit bucket of a client address: an IPv4 address as is (IPv4-mapped IPv6 included), an
 * IPv6 address grouped by its /64 (one subscriber usually gets a whole /64). Null for anything else.
 * Take the address from `req.ip`, so only proxies allowed by Express's `trust proxy` can set it.
 */
export function clientBucket(ip: string | null | undefined): string | null {
  if (typeof ip !== "string" || ip.length === 0 || ip.length > 64) return null;
  const bare = ip.replace(/%.*$/, "");
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return null;
  const groups = ipv6Groups(bare.toLowerCase());
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}
