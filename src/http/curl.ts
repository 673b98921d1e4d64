import { optionKeys, readOptions } from '../checks/options';
import { describeRequestBody, formFieldValue } from '../observability/describe-body';
import { requestSecrets, scrubSecrets } from '../observability/scrub';
import { MultipartBody } from './multipart';
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

/** curl's quoting of a file name inside `-F` (`@"…"`, with `\` and `"` escaped). */
function curlFileName(name: string): string {
  return `"${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * A multipart form as curl's own form options: `--form-string` for string entries (taken
 * literally: a value starting with `@` or `<` is not a file), `-F name=@"file";type=…` for files,
 * which the reader supplies. curl makes the boundary, so our Content-Type and length are left out.
 */
function formOptions(request: HttpRequest, body: MultipartBody, redact: boolean): string[] {
  const { redactor } = request;
  const secrets = redact ? requestSecrets(request) : [];
  const options: string[] = [];
  for (const field of body.fields) {
    if (field.value === undefined) {
      options.push('-F', quote(`${field.name}=@${curlFileName(field.filename!)};type=${field.type}`));
    } else {
      const value = formFieldValue(field, redact ? redactor : undefined);
      options.push('--form-string', quote(`${field.name}=${scrubSecrets(value, secrets)}`));
    }
  }
  return options;
}

const FORM_HEADERS = new Set(['content-type', 'content-length']);

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
  const form = request.body instanceof MultipartBody ? request.body : undefined;
  for (const name of Object.keys(request.headers)) {
    if (form !== undefined && FORM_HEADERS.has(name)) continue;
    const value = request.headers[name]!;
    parts.push('-H', quote(`${name}: ${redact && redactor.isSensitive(name) ? '[REDACTED]' : value}`));
  }
  if (form !== undefined) parts.push(...formOptions(request, form, redact));
  else {
    const body = describeRequestBody(request, redact ? redactor : undefined);
    if (body !== undefined) parts.push('--data-raw', quote(body));
  }
  if (request.timeoutMs !== undefined) parts.push('--max-time', String(request.timeoutMs / 1000));
  return parts.join(' ');
}
