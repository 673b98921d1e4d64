// Compressed responses: Accept-Encoding is sent and gzip / deflate / br bodies are decoded, with a
// ratio limit that stops a "zip bomb" before it fills memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { HttpClient, HttpClientConfigBuilder, ResponseTooLargeException } from 'requestforge';

const report = JSON.stringify({ rows: Array.from({ length: 500 }, (_, id) => ({ id, status: 'ok' })) });
const server = http.createServer((req, res) => {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (req.url === '/bomb') {
    // 20 KiB that decode to 20 MiB.
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024)));
    return;
  }
  const encoding = accepted.includes('br') ? 'br' : accepted.includes('gzip') ? 'gzip' : 'identity';
  const body =
    encoding === 'br'
      ? zlib.brotliCompressSync(report)
      : encoding === 'gzip'
        ? zlib.gzipSync(report)
        : Buffer.from(report);
  console.log(
    `  [server] ${req.url} Accept-Encoding: ${accepted || '(none)'} → ${encoding}, ${body.length} bytes`,
  );
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const client = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(baseUrl).build());
const response = await client.get('/report');
const rows = response.json<{ rows: unknown[] }>().rows.length;
console.log(
  `decoded ${response.body.byteLength} bytes, ${rows} rows; content-encoding now: ${response.headers.get('content-encoding') ?? 'none'}`,
);

try {
  await client.get('/bomb');
} catch (error) {
  if (error instanceof ResponseTooLargeException)
    console.log(`bomb stopped: ${error.code} (ratio limit ${error.context.maxDecompressionRatio})`);
}

const raw = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(baseUrl).withDecompression(false).build(),
);
console.log(`withDecompression(false): ${(await raw.get('/report')).body.byteLength} bytes as sent`);

await Promise.all([client.close(), raw.close()]);
server.close();
