import { redactText } from '../observability/redact';
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

function bodyText(request: HttpRequest, redact: boolean): string | undefined {
  const { body, json, data, redactor } = request;
  if (body === undefined) return undefined;
  if (redact && json !== undefined) return JSON.stringify(redactor.json(json));
  if (redact && data !== undefined) return redactor.formString(typeof body === 'string' ? body : '');
  if (typeof body === 'string') {
    if (!redact) return body;
    const type = request.headers['content-type'] ?? '';
    if (type.includes('x-www-form-urlencoded')) return redactor.formString(body);
    if (type.includes('json')) {
      try {
        return JSON.stringify(redactor.json(JSON.parse(body)));
      } catch {
        return redactText(body, redactor);
      }
    }
    return redactText(body, redactor);
  }
  if (body instanceof Uint8Array) {
    return redact
      ? `<${body.byteLength} bytes>`
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString();
  }
  return '<stream>';
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
  const redact = options.redact !== false;
  const { redactor } = request;
  const parts = ['curl', '-X', request.method, quote(redact ? redactor.url(request.url) : request.url)];
  for (const name of Object.keys(request.headers)) {
    const value = request.headers[name]!;
    parts.push('-H', quote(`${name}: ${redact && redactor.isSensitive(name) ? '[REDACTED]' : value}`));
  }
  const body = bodyText(request, redact);
  if (body !== undefined) parts.push('--data-raw', quote(body));
  if (request.timeoutMs !== undefined) parts.push('--max-time', String(request.timeoutMs / 1000));
  return parts.join(' ');
}
