import type { Readable } from 'node:stream';
import { RequestBuildException } from '../errors/transport-errors';
import type { QueryValue } from './url';

/** A raw request body. Strings and byte arrays can be re-sent; streams are one-shot. */
export type RequestBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** Form fields for an `application/x-www-form-urlencoded` body; arrays repeat the key. */
export type FormFields = Readonly<Record<string, QueryValue | null | undefined | ReadonlyArray<QueryValue>>>;

function formEncode(value: string): string {
  return encodeURIComponent(value).replaceAll('%20', '+');
}

/** Encodes form fields as `application/x-www-form-urlencoded`. */
export function encodeForm(fields: FormFields | URLSearchParams): string {
  if (fields instanceof URLSearchParams) return fields.toString();
  const parts: string[] = [];
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? (value as ReadonlyArray<QueryValue>) : [value as QueryValue];
    for (const item of values) {
      const type = typeof item;
      if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') {
        throw new RequestBuildException(
          `Form field "${key}" must be a string, number, boolean or an array of them`,
          {
            context: { reason: 'data', field: key },
          },
        );
      }
      parts.push(`${formEncode(key)}=${formEncode(String(item))}`);
    }
  }
  return parts.join('&');
}

/**
 * `JSON.stringify`, except that a `toJSON` inherited from a polluted `Object.prototype` or
 * `Array.prototype` is ignored: it would replace the body the caller gave. The check is two
 * own-property lookups; the careful path only runs when one of them is polluted.
 */
function jsonText(value: unknown): string | undefined {
  if (!Object.hasOwn(Object.prototype, 'toJSON') && !Object.hasOwn(Array.prototype, 'toJSON'))
    return JSON.stringify(value);
  return JSON.stringify(withoutInheritedToJSON(value, new Set()));
}

const INHERITED_TO_JSON = (): ReadonlySet<unknown> =>
  new Set(
    [Object.prototype, Array.prototype]
      .filter((proto) => Object.hasOwn(proto, 'toJSON'))
      .map((proto) => (proto as { toJSON?: unknown }).toJSON),
  );

function withoutInheritedToJSON(value: unknown, seen: Set<object>, polluted = INHERITED_TO_JSON()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new TypeError('Converting circular structure to JSON');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && !polluted.has(toJSON))
    return withoutInheritedToJSON(toJSON.call(value), seen, polluted);
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return value.valueOf();
  seen.add(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    const items = value.map((item) => withoutInheritedToJSON(item, seen, polluted));
    copy = Object.setPrototypeOf(items, null);
  } else {
    const fields = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value))
      fields[key] = withoutInheritedToJSON((value as Record<string, unknown>)[key], seen, polluted);
    copy = fields;
  }
  seen.delete(value);
  return copy;
}

/** True when the body can be sent again (retries, 401 replays, 307/308 redirects). */
export function isReplayableBody(body: RequestBody | undefined): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

export interface EncodedBody {
  readonly body: RequestBody | undefined;
  readonly contentType: string | undefined;
}

const NO_BODY: EncodedBody = Object.freeze({ body: undefined, contentType: undefined });

/** Turns the one body option the caller gave (`json`, `data` or `body`) into bytes and a content type. */
export function encodeBody(options: { json?: unknown; data?: FormFields; body?: RequestBody }): EncodedBody {
  const { json, data, body } = options;
  const given = (json !== undefined ? 1 : 0) + (data !== undefined ? 1 : 0) + (body !== undefined ? 1 : 0);
  if (given === 0) return NO_BODY;
  if (given > 1) {
    throw new RequestBuildException('Give only one of json, data and body', { context: { reason: 'body' } });
  }
  if (json !== undefined) {
    let text: string | undefined;
    try {
      text = jsonText(json);
    } catch (error) {
      throw new RequestBuildException('The json body cannot be serialised', { cause: error });
    }
    if (text === undefined) throw new RequestBuildException('The json body cannot be serialised');
    return { body: text, contentType: 'application/json' };
  }
  if (data !== undefined) {
    if (typeof data !== 'object' || data === null) {
      throw new RequestBuildException('data must be an object of form fields');
    }
    return { body: encodeForm(data), contentType: 'application/x-www-form-urlencoded' };
  }
  const raw = body as RequestBody;
  const ok =
    typeof raw === 'string' ||
    raw instanceof Uint8Array ||
    (typeof raw === 'object' && raw !== null && Symbol.asyncIterator in raw);
  if (!ok) throw new RequestBuildException('body must be a string, a Uint8Array or a stream');
  return { body: raw, contentType: undefined };
}
