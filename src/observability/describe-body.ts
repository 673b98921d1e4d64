import { MultipartBody, type MultipartField } from '../http/multipart';
import type { HttpRequest } from '../http/request';
import { type Redactor, redactBodyText } from './redact';
import { REDACTED } from './redact-constants';
import { requestSecrets, scrubSecrets } from './scrub';

function bytesToText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The request body as text for logs and curl: credential fields redacted with `redactor` and the
 * secrets the request carries (its credential headers and fields, and `moreSecrets`) scrubbed
 * wherever else they appear, or verbatim when `redactor` is `undefined`. Streams are never read.
 */
export function describeRequestBody(
  request: HttpRequest,
  redactor: Redactor | undefined,
  moreSecrets: readonly string[] = [],
): string | undefined {
  const described = describe(request, redactor);
  if (described === undefined || redactor === undefined) return described;
  const { headers, json, data, body } = request;
  const secrets = requestSecrets({ headers, json, data, body, redactor });
  return scrubSecrets(described, moreSecrets.length === 0 ? secrets : [...secrets, ...moreSecrets]);
}

function describe(request: HttpRequest, redactor: Redactor | undefined): string | undefined {
  const { body, json, data } = request;
  if (body === undefined) return undefined;
  if (redactor && json !== undefined) return JSON.stringify(redactor.json(json));
  if (typeof body === 'string') {
    if (!redactor) return body;
    if (data !== undefined) return redactor.formString(body);
    return redactBodyText(body, request.headers['content-type'], redactor);
  }
  if (body instanceof Uint8Array) {
    if (!redactor) return bytesToText(body);
    return redactBodyText(bytesToText(body), request.headers['content-type'], redactor);
  }
  if (body instanceof MultipartBody) return describeForm(body.fields, redactor);
  return '<stream>';
}

/**
 * A string entry's value as shown: `[REDACTED]` for a credential field when redacting (the rest
 * is scrubbed of the request's secrets by the caller).
 */
export function formFieldValue(field: MultipartField, redactor: Redactor | undefined): string {
  return redactor?.isSensitive(field.name) ? REDACTED : field.value!;
}

/** A multipart form in one line: `name=value` per string entry, `name=<file …>` per file (never read). */
function describeForm(fields: readonly MultipartField[], redactor: Redactor | undefined): string {
  const entries = fields.map((field) =>
    field.value === undefined
      ? `${field.name}=<file ${JSON.stringify(field.filename)}, ${field.type}, ${field.size} bytes>`
      : `${field.name}=${formFieldValue(field, redactor)}`,
  );
  return `<multipart/form-data: ${entries.join(', ')}>`;
}
