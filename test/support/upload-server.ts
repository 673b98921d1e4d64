import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';

export interface ParsedFile {
  readonly name: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Upload {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly fields: Array<[string, string]>;
  readonly files: ParsedFile[];
  /** For non-multipart bodies: the byte count and hash of the raw body. */
  readonly raw?: { bytes: number; sha256: string };
}

/**
 * A loopback server that parses multipart bodies with busboy (streaming) and hashes any other
 * body, then answers `status(upload)` with the parsed upload as JSON.
 */
export async function startUploadServer() {
  const uploads: Upload[] = [];
  let status: (upload: Upload) => number = () => 200;
  const server = http.createServer((req, res) => {
    const done = (upload: Upload) => {
      uploads.push(upload);
      res.writeHead(status(upload), { 'content-type': 'application/json' });
      res.end(JSON.stringify(upload));
    };
    const base = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    if (!(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () =>
        done({ ...base, fields: [], files: [], raw: { bytes, sha256: hash.digest('hex') } }),
      );
      return;
    }
    const fields: Array<[string, string]> = [];
    const files: ParsedFile[] = [];
    const parser = busboy({ headers: req.headers, limits: { fileSize: Number.POSITIVE_INFINITY } });
    parser.on('field', (name, value) => fields.push([name, value]));
    parser.on('file', (name, stream, info) => {
      const hash = createHash('sha256');
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      stream.on('end', () =>
        files.push({
          name,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          bytes,
          sha256: hash.digest('hex'),
        }),
      );
    });
    parser.on('close', () => done({ ...base, fields, files }));
    parser.on('error', () => res.writeHead(400).end());
    req.pipe(parser);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    uploads,
    answer(next: (upload: Upload) => number) {
      status = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
