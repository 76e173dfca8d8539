/**
 * A minimal Redis client for the tests (RESP2 over node:net: commands as arrays of bulk strings; simple
 * strings, errors, integers, bulk strings and arrays back), and a token-bucket limiter on top of it in
 * the shape of the library's external `limiter`. No Redis package is a dependency of this repository.
 */
import { type Socket, createConnection } from "node:net";
import type { LimiterResult } from "../../src/config.js";

/** A reply: simple and bulk strings, integers, nil, arrays. Errors reject the command instead. */
export type RespValue = string | number | null | RespValue[];

/** An error reply (`-ERR …`). */
export class RespError extends Error {
  override name = "RespError";
}

interface Parsed {
  value: RespValue | RespError;
  next: number;
}

/** Parses one reply at `offset`, or returns null when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, offset: number): Parsed | null {
  if (offset >= buf.length) return null;
  const eol = buf.indexOf("\r\n", offset + 1);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString("utf8", offset + 1, eol);
  const after = eol + 2;
  switch (type) {
    case "+":
      return { value: line, next: after };
    case "-":
      return { value: new RespError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, next: after };
      if (buf.length < after + length + 2) return null;
      return { value: buf.toString("utf8", after, after + length), next: after + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let error: RespError | null = null;
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (item === null) return null;
        if (item.value instanceof RespError) error ??= item.value;
        else items.push(item.value);
        next = item.next;
      }
      // An error inside an array (e.g. a failed command in EXEC) fails the whole reply.
      return { value: error ?? items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Encodes a command as a RESP array of bulk strings. */
function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** One connection; commands are pipelined and answered in order. */
export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new Error("redis connection closed")));
  }

  /** Connects, or rejects after `timeoutMs`. */
  static connect(port = 6379, host = "127.0.0.1", timeoutMs = 500): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RespClient(socket));
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends one command and resolves with its reply (an error reply rejects with {@link RespError}). */
  command(...args: (string | number)[]): Promise<RespValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Drops the connection at once; commands still waiting reject. */
  destroy(): void {
    this.fail(new Error("redis connection destroyed"));
    this.socket.destroy();
  }

  /** Closes the connection (after QUIT is answered). */
  async close(): Promise<void> {
    if (!this.failure) await this.command("QUIT").catch(() => undefined);
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let parsed: Parsed | null;
      try {
        parsed = parseReply(this.buffer, 0);
      } catch (err) {
        this.fail(err as Error);
        this.socket.destroy();
        return;
      }
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.next);
      const waiter = this.waiting.shift();
      if (!waiter) continue;
      if (parsed.value instanceof RespError) waiter.reject(parsed.value);
      else waiter.resolve(parsed.value);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }
}

/**
 * Token bucket, atomically in Redis: `capacity` tokens, one more every `refill_ms`; a take costs one.
 * ARGV: capacity, refill_ms, now (ms). Returns { allowed (1/0), ms until a token is available }.
 */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) / refill_ms)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) * refill_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * refill_ms) + 1000)
return { allowed, retry }
`;

/** Options of {@link redisTokenBucket}. */
export interface TokenBucketOptions {
  /** Prepended to every key (a namespace per app, or per test run). */
  prefix: string;
  capacity: number;
  /** Milliseconds per refilled token. */
  refillMs: number;
  /** The clock (the library's, in tests). @default Date.now */
  now?: () => number;
}

/** An external limiter for the library: `take(key)` spends one token of the key's bucket. */
export function redisTokenBucket(client: RespClient, options: TokenBucketOptions) {
  const now = options.now ?? Date.now;
  return {
    async take(key: string): Promise<LimiterResult> {
      const reply = await client.command(
        "EVAL",
        TOKEN_BUCKET_SCRIPT,
        1,
        options.prefix + key,
        options.capacity,
        options.refillMs,
        now(),
      );
      if (!Array.isArray(reply) || typeof reply[0] !== "number" || typeof reply[1] !== "number")
        throw new Error(`unexpected token bucket reply ${JSON.stringify(reply)}`);
      return reply[0] === 1 ? { allowed: true } : { allowed: false, retryAfter: reply[1] };
    },
  };
}

/** Every key under a prefix (SCAN, never KEYS). */
export async function scanKeys(client: RespClient, prefix: string): Promise<string[]> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  const keys: string[] = [];
  let cursor = "0";
  do {
    const reply = (await client.command("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)) as [string, string[]];
    cursor = reply[0];
    keys.push(...reply[1]);
  } while (cursor !== "0");
  return keys;
}

/** Deletes every key under a prefix; returns how many there were. */
export async function deleteKeys(client: RespClient, prefix: string): Promise<number> {
  const keys = await scanKeys(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.command("DEL", ...keys.slice(i, i + 500));
  return keys.length;
}
