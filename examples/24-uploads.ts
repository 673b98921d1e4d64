// Uploads: a FormData form (strings, Blobs, Files) streamed as multipart with Content-Length, and a
// stream body sent as it is read. A form can be retried; a stream body never is.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ExponentialBackoffRetryStrategy, HttpClient, HttpClientConfigBuilder } from 'requestforge';

let uploads = 0;
const server = http.createServer(async (req, res) => {
  let bytes = 0;
  for await (const chunk of req) bytes += (chunk as Buffer).length;
  uploads++;
  const type = (req.headers['content-type'] ?? 'no content type').split(';')[0];
  const length = req.headers['content-length'] ?? 'none (chunked)';
  console.log(
    `  [server] ${req.method} ${req.url} ${type}, Content-Length: ${length}, received ${bytes} bytes`,
  );
  // The first upload of each kind fails once, to show what is retried.
  res.writeHead(uploads === 1 || uploads === 3 ? 503 : 201).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

const client = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    .withRetryStrategy(
      new ExponentialBackoffRetryStrategy({
        maxRetries: 2,
        baseDelayMs: 10,
        retryMethods: ['POST'],
        retryOnErrors: ['ERR_CONNECTION', 'ERR_TIMEOUT'],
      }),
    )
    .build(),
);

const form = new FormData();
form.append('description', 'Q3 report');
form.append('file', new File(['id,total\n1,42\n'], 'report.csv', { type: 'text/csv' }));
console.log(`form upload: ${(await client.post('/uploads', { form })).statusCode} (retried after a 503)`);

const stream = Readable.from(
  (function* () {
    for (let i = 0; i < 100; i++) yield Buffer.alloc(64 * 1024, i);
  })(),
);
console.log(
  `stream upload: ${(await client.post('/raw', { body: stream })).statusCode} (a stream is never re-sent)`,
);

await client.close();
server.close();
