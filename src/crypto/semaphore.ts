/** Runs at most `limit` tasks at once; the rest wait in order. */
export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a FIFO semaphore. */
export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return {
    async run(task) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
