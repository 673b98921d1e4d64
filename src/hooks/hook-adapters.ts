import type {
  ErrorHook,
  ErrorHookFunction,
  RequestHook,
  RequestHookFunction,
  ResponseHook,
  ResponseHookFunction,
} from './types';

function fail(option: string, method: string): never {
  throw new TypeError(`${option}: expected a function or an object with ${method}()`);
}

/** Accepts a hook object or a plain function. */
export function toRequestHook(
  hook: RequestHook | RequestHookFunction,
  option = 'withRequestHook',
): RequestHook {
  if (typeof hook === 'function') return { beforeRequest: hook };
  if (hook && typeof hook.beforeRequest === 'function') return hook;
  return fail(option, 'beforeRequest');
}

export function toResponseHook(
  hook: ResponseHook | ResponseHookFunction,
  option = 'withResponseHook',
): ResponseHook {
  if (typeof hook === 'function') return { afterResponse: hook };
  if (hook && typeof hook.afterResponse === 'function') return hook;
  return fail(option, 'afterResponse');
}

export function toErrorHook(hook: ErrorHook | ErrorHookFunction, option = 'withErrorHook'): ErrorHook {
  if (typeof hook === 'function') return { onError: hook };
  if (hook && typeof hook.onError === 'function') return hook;
  return fail(option, 'onError');
}
