// multipart/form-data bodies (RFC 7578, encoded as the WHATWG FormData algorithm does) streamed
// from a FormData: strings and file contents are never copied into one buffer, the length is
// known up front (Content-Length), and every send iterates afresh, so a form can be retried.
import { randomBytes } from 'node:crypto';
import { RequestBuildException } from '../errors/transport-errors';

/** What we need of a `Blob`/`File` entry: its size, its type, its bytes by slices. */
interface BlobLike {
  readonly size: number;
  readonly type: string;
  readonly name?: string;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * File contents are read one slice at a time, each only when the socket wants more: a Blob's own
 * `stream()` reads ahead (tens of MB for a large file on Node 20).
 */
const SLICE_BYTES = 128 * 1024;

/** A `FormData` (the global one, or undici's): string and `File`/`Blob` entries. */
export interface FormDataLike {
  entries(): IterableIterator<[string, unknown]>;
  readonly [Symbol.toStringTag]: string;
}

/** True for a WHATWG `FormData`, whichever implementation made it. */
export function isFormData(value: unknown): value is FormDataLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData' &&
    typeof (value as { entries?: unknown }).entries === 'function'
  );
}

function isBlobLike(value: unknown): value is BlobLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as BlobLike).slice === 'function' &&
    typeof (value as BlobLike).size === 'number'
  );
}

const CRLF = Buffer.from('\r\n');

/** Line breaks as CRLF, as the FormData encoding requires for names and string values. */
function normalizeLineBreaks(value: string): string {
  return value.replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n');
}

/** A name or file name inside a quoted header parameter. */
function escapeQuoted(value: string): string {
  return value.replaceAll('\r', '%0D').replaceAll('\n', '%0A').replaceAll('"', '%22');
}

type Part = { readonly head: Buffer; readonly value: Buffer | BlobLike };

/**
 * One entry of a form as logs and `toCurl` show it: a string entry's value, or a file entry's
 * name, type and size (never its contents).
 */
export interface MultipartField {
  readonly name: string;
  /** A string entry's value. */
  readonly value?: string;
  /** A file entry's file name. */
  readonly filename?: string;
  /** A file entry's content type. */
  readonly type?: string;
  /** The entry's size in bytes. */
  readonly size: number;
}

/**
 * A multipart/form-data body made from a `FormData`: iterable any number of times (so retries
 * and 401 replays can send it again), with its length known before the first byte is sent.
 */
export class MultipartBody implements AsyncIterable<Uint8Array> {
  /** The `Content-Type` header value, with the boundary. */
  readonly contentType: string;
  /** The exact number of bytes the body has. */
  readonly length: number;
  /** The form's entries as logs and `toCurl` show them (file contents are never read). */
  readonly fields: readonly MultipartField[];
  readonly #parts: readonly Part[];
  readonly #tail: Buffer;

  constructor(form: FormDataLike) {
    const boundary = `----requestforge-${randomBytes(16).toString('hex')}`;
    const parts: Part[] = [];
    const fields: MultipartField[] = [];
    let length = 0;
    for (const [rawName, value] of form.entries()) {
      const fieldName = normalizeLineBreaks(String(rawName));
      const name = escapeQuoted(fieldName);
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
      let part: Part;
      if (typeof value === 'string') {
        const text = normalizeLineBreaks(value);
        const bytes = Buffer.from(text);
        fields.push({ name: fieldName, value: text, size: bytes.length });
        part = { head: Buffer.from(`${head}\r\n\r\n`), value: bytes };
        length += bytes.length;
      } else if (isBlobLike(value)) {
        const filename = value.name ?? 'blob';
        const type = value.type || 'application/octet-stream';
        head += `; filename="${escapeQuoted(filename)}"\r\nContent-Type: ${type}`;
        fields.push({ name: fieldName, filename, type, size: value.size });
        part = { head: Buffer.from(`${head}\r\n\r\n`), value };
        length += value.size;
      } else {
        throw new RequestBuildException(
          `form: the entry "${name.slice(0, 40)}" is neither a string nor a Blob`,
          {
            context: { reason: 'form' },
          },
        );
      }
      parts.push(part);
      length += part.head.length + CRLF.length;
    }
    this.#tail = Buffer.from(`--${boundary}--\r\n`);
    this.#parts = parts;
    this.fields = Object.freeze(fields);
    this.length = length + this.#tail.length;
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    Object.freeze(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (const part of this.#parts) {
      yield part.head;
      if (Buffer.isBuffer(part.value)) {
        if (part.value.length > 0) yield part.value;
      } else {
        const blob = part.value;
        for (let offset = 0; offset < blob.size; offset += SLICE_BYTES) {
          yield new Uint8Array(await blob.slice(offset, offset + SLICE_BYTES).arrayBuffer());
        }
      }
      yield CRLF;
    }
    yield this.#tail;
  }
}
