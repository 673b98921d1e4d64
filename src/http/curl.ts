import { optionKeys, readOptions } from '../checks/options';
import { describeRequestBody } from '../observability/describe-body';
import type { HttpRequest } from './request';

/** Options of {@link toCurl}. */
export interface ToCurlOptions {
  /**
   * Replace credentials (auth headers, API keys, cookies, secret body fields and query values)
   * with `[REDACTED]`. Turn off only to reproduce a call by hand.
   * @default true
   */
  readonly redact?: boolean;
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * An equivalent `curl` command line, for bug reports and debugging. Secrets are redacted
 * unless `{ redact: false }`.
 *
 * @example
 * ```ts
 * console.log(toCurl(response.request));
 * // curl -X POST 'https://api.example.com/users' -H 'authorization: [REDACTED]' --data-raw '{"name":"x"}'
 * ```
 */
export function toCurl(request: HttpRequest, options: ToCurlOptions = {}): string {
  const redact =
    readOptions(options, 'toCurl', optionKeys<ToCurlOptions>()({ redact: true })).redact !== false;
  const { redactor } = request;
  const parts = ['curl', '-X', request.method, quote(redact ? redactor.url(request.url) : request.url)];
  for (const name of Object.keys(request.headers)) {
    const value = request.headers[name]!;
    parts.push('-H', quote(`${name}: ${redact && redactor.isSensitive(name) ? '[REDACTED]' : value}`));
  }
  const body = describeRequestBody(request, redact ? redactor : undefined);
  if (body !== undefined) parts.push('--data-raw', quote(body));
  if (request.timeoutMs !== undefined) parts.push('--max-time', String(request.timeoutMs / 1000));
  return parts.join(' ');
}
