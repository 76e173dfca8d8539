/** A controllable clock for the library's `now` option. Time only moves when a test moves it. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
  set(date: Date | string): void;
}

/** Creates a clock starting at a fixed instant. */
export function createClock(start: Date | string = "2026-01-15T10:00:00.000Z"): TestClock {
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
