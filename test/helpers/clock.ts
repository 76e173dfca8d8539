/** A controllable clock for the library's `now` option. Time only moves when a test moves it. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
  set(date: Date | string): void;
}

/**
 * Creates a clock, by default starting at the real current time (so cookie expiry dates computed from it
 * are in the future for HTTP clients such as supertest's cookie jar).
 */
export function createClock(start: Date | string = new Date()): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (date) => {
      t = new Date(date).getTime();
    },
  };
}
