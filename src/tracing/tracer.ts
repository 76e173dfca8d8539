/**
 * Tracing: the @prsm/auth duck type `tracer.span(name, attributes, fn)`, or OpenTelemetry through
 * `@opentelemetry/api` when it is installed (an optional peer; without an SDK registered it is a no-op).
 * Attributes never carry an email, an address, a token or any other personal data.
 */
/** Span attribute values: plain scalars only. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** Anything with `span(name, attributes, fn)` that runs `fn` inside a span and returns its result. */
export interface AuthTracer {
  span<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T>;
}

interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}
interface OtelApi {
  trace: {
    getTracer(
      name: string,
      version?: string,
    ): {
      startActiveSpan<T>(name: string, options: { attributes: SpanAttributes }, fn: (span: OtelSpan) => T): T;
    };
  };
}

const SPAN_STATUS_ERROR = 2;
const tracers = new WeakMap<object, Promise<AuthTracer | null>>();

/** Wraps OpenTelemetry's API as an {@link AuthTracer}: errors set the span status to ERROR with the error's class name. */
export function openTelemetryTracer(api: OtelApi): AuthTracer {
  const tracer = api.trace.getTracer("express-drizzle-auth");
  return {
    span(name, attributes, fn) {
      return tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          return await fn();
        } catch (err) {
          const code = (err as { code?: unknown })?.code;
          span.setAttribute(
            "auth.error",
            typeof code === "string" ? code : err instanceof Error ? err.constructor.name : "error",
          );
          span.setStatus({ code: SPAN_STATUS_ERROR });
          throw err;
        } finally {
          span.end();
        }
      });
    },
  };
}

/**
 * What {@link withSpan} reads of an auth context: the resolved config (the tracer is loaded once per
 * resolved config) and the app's `tracer` option in it. An `AuthContext` is one.
 */
export interface TracingScope {
  config: { source: { tracer?: AuthTracer | false | undefined } };
}

/** True for an object with a `span` function. */
export function isAuthTracer(value: unknown): value is AuthTracer {
  return typeof value === "object" && value !== null && typeof (value as { span?: unknown }).span === "function";
}

async function loadOpenTelemetry(): Promise<AuthTracer | null> {
  try {
    const name = "@opentelemetry/api";
    const api = (await import(name)) as OtelApi & { default?: OtelApi };
    const resolved = api.trace ? api : api.default;
    return resolved?.trace ? openTelemetryTracer(resolved) : null;
  } catch {
    return null;
  }
}

/** The tracer of a config: `tracer` when given (`false`: none), else OpenTelemetry when installed. */
function tracerOf(ctx: TracingScope): Promise<AuthTracer | null> {
  let tracer = tracers.get(ctx.config);
  if (!tracer) {
    const configured = ctx.config.source.tracer;
    tracer =
      configured === false
        ? Promise.resolve(null)
        : isAuthTracer(configured)
          ? Promise.resolve(configured)
          : loadOpenTelemetry();
    tracers.set(ctx.config, tracer);
  }
  return tracer;
}

/**
 * Runs `fn` in a span named `name` (`auth.login`, `auth.register`, …). A tracer that fails on its own
 * never changes the outcome: without having run `fn` the work runs untraced; after it, `fn`'s own result
 * or error stands.
 */
export async function withSpan<T>(
  ctx: TracingScope,
  name: string,
  attributes: SpanAttributes,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = await tracerOf(ctx);
  if (!tracer) return fn();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  try {
    await tracer.span(name, attributes, async () => {
      try {
        const value = await fn();
        outcome = { ok: true, value };
        return value;
      } catch (error) {
        outcome = { ok: false, error };
        throw error;
      }
    });
  } catch {
    // Reported below through `outcome`; a tracer's own failure is ignored.
  }
  const settled = outcome as { ok: true; value: T } | { ok: false; error: unknown } | null;
  if (settled === null) return fn();
  if (settled.ok) return settled.value;
  throw settled.error;
}
