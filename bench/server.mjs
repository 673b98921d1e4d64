// The benchmark's loopback server, in its own process so the client's CPU is measured alone.
//   GET  /items          ~1 KiB JSON
//   GET  /items.gz       the same JSON, gzip-encoded when the client accepts gzip
//   and an HTTP/2 (+ HTTP/1.1) TLS server answering /items, for the HTTP/2 scenario
//   POST /items          reads the body, answers the same JSON
//   GET  /blob?mb=N      N MiB of bytes (default 50), with a content-length
//   POST /upload         reads the body, answers { bytes } (the request body is not kept)
//   POST /oauth/token    a client-credentials token (?expires_in=N, default 3600; ?delay=ms),
//                        DPoP-bound when the request carries a DPoP proof
//   GET  /stats          { tokenCalls }
//   POST /stats/reset
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import zlib from 'node:zlib';

const items = [];
for (let i = 0; JSON.stringify(items).length < 1000; i++)
  items.push({ id: i, name: `item-${i}`, active: i % 2 === 0 });
const body = Buffer.from(JSON.stringify(items));
const gzipped = zlib.gzipSync(body);
let tokenCalls = 0;

const blobs = new Map();
const blob = (mb) => {
  if (!blobs.has(mb)) blobs.set(mb, Buffer.alloc(mb * 2 ** 20, 'requestforge '));
  return blobs.get(mb);
};

const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/blob') {
      const data = blob(Number(url.searchParams.get('mb') ?? 50));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      res.end(data);
    } else if (url.pathname === '/upload') {
      const answer = JSON.stringify({ bytes });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      res.end(answer);
    } else if (url.pathname === '/items.gz' && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': gzipped.length,
      });
      res.end(gzipped);
    } else if (url.pathname === '/items' || url.pathname === '/items.gz') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    } else if (url.pathname === '/oauth/token') {
      tokenCalls++;
      const expiresIn = Number(url.searchParams.get('expires_in') ?? 3600);
      const delay = Number(url.searchParams.get('delay') ?? 0);
      const token = JSON.stringify({
        access_token: `bench-token-${tokenCalls}`,
        // A DPoP proof asks for a DPoP-bound token (RFC 9449 §5); proofs are not verified here.
        token_type: req.headers.dpop === undefined ? 'Bearer' : 'DPoP',
        expires_in: expiresIn,
      });
      setTimeout(() => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(token),
        });
        res.end(token);
      }, delay);
    } else if (url.pathname === '/stats') {
      if (req.method === 'POST') tokenCalls = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tokenCalls }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
server.keepAliveTimeout = 600_000;
server.headersTimeout = 610_000;
const fixture = (name) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
const secure = http2.createSecureServer({
  cert: fixture('server.crt'),
  key: fixture('server.key'),
  allowHTTP1: true,
  settings: { maxConcurrentStreams: 1000 },
});
secure.on('request', (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
secure.keepAliveTimeout = 600_000;
server.listen(0, '127.0.0.1', () =>
  secure.listen(0, '127.0.0.1', () =>
    process.send({ port: server.address().port, tlsPort: secure.address().port }),
  ),
);
process.on('disconnect', () => process.exit(0));
