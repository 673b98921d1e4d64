import { optionKeys, readOptions } from '../checks/options';
import type { HttpResponse } from '../http/response';

/** Options of `requestMany`. */
export interface RequestManyOptions {
  /**
   * Requests in flight at once.
   * @default 5
   */
  readonly concurrency?: number;
  /**
   * Reject with the first error at once; requests not yet started are never sent.
   * @default false
   */
  readonly failFast?: boolean;
}

/** One result of `requestMany`: the response, or the error the request failed with. */
export type RequestManyResult = HttpResponse | Error;

/** Runs `send` over `items` with a bounded worker pool, keeping input order. */
export function runMany<T>(
  items: readonly T[],
  send: (item: T) => Promise<HttpResponse>,
  options: RequestManyOptions,
): Promise<RequestManyResult[]> {
  let own: RequestManyOptions;
  try {
    own = readOptions(
      options,
      'requestMany',
      optionKeys<RequestManyOptions>()({ concurrency: true, failFast: true }),
    );
  } catch (error) {
    return Promise.reject(error);
  }
  const concurrency = own.concurrency ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return Promise.reject(
      new RangeError(`requestMany: concurrency must be a positive integer, got ${String(concurrency)}`),
    );
  }
  const failFast = own.failFast === true;
  const results = new Array<RequestManyResult>(items.length);
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let failed = false;
    const launch = (): void => {
      while (!failed && running < concurrency && next < items.length) {
        const index = next++;
        running++;
        send(items[index]!).then(
          (response) => {
            results[index] = response;
            settle();
          },
          (error: unknown) => {
            if (failFast) {
              if (!failed) {
                failed = true;
                reject(error);
              }
              return;
            }
            results[index] = error instanceof Error ? error : new Error(String(error));
            settle();
          },
        );
      }
      if (!failed && running === 0 && next >= items.length) resolve(results);
    };
    const settle = (): void => {
      running--;
      launch();
    };
    launch();
  });
}
