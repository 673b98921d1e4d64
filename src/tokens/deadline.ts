/**
 * Runs `work` (sync throws become rejections) and rejects with `onTimeout()` if it has not
 * settled within `ms`. The timer never keeps the process alive and is always cleared.
 */
export async function withDeadline<T>(
  work: () => T | Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
        timer.unref?.();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
