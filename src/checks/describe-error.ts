import { HttpClientException } from '../errors/http-client-exception';

/**
 * A short, secret-free name for any thrown value: our stable `code`, else the error's class
 * name, else its type. Messages are never quoted: they may contain what the failing party was given.
 */
export function describeError(error: unknown): string {
  if (error instanceof HttpClientException) return error.code;
  if (error instanceof Error) return error.name;
  return typeof error;
}
