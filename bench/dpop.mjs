// `npm run bench:dpop`: client CPU per request with a DPoP-bound token (Authorization: DPoP and
// a fresh ES256 proof per send, with ath) next to the same request with a bearer token, in the
// same run against the same loopback server (in its own process, so the client's CPU is
// measured alone). BENCH_ROUNDS rounds (7) alternate the two; each round sends DPOP_REQUESTS
// (2000) requests, DPOP_CONCURRENCY (10) at a time. Reports the median CPU µs per request of
// each and their ratio (target ≤ 2×). Run with tsx: it measures the library's sources.
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
} from '../src/index.ts';
import { median } from './stats.mjs';

if (process.argv[2] === 'serve') {
  // The server: a DPoP token endpoint and a ~1 KiB JSON resource (proofs are not verified: the
  // client's cost is measured).
  const items = JSON.stringify(Array.from({ length: 24 }, (_, id) => ({ id, name: `item-${id}`, ok: true })));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/token') {
        const dpop = req.headers.dpop !== undefined;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: `t-${Date.now()}`,
            token_type: dpop ? 'DPoP' : 'Bearer',
            expires_in: 3600,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(items) });
      res.end(items);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0)); // the parent is gone (or done)
} else {
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
  const REQUESTS = Number(process.env.DPOP_REQUESTS ?? 2000);
  const CONCURRENCY = Number(process.env.DPOP_CONCURRENCY ?? 10);
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { execArgv: ['--import', 'tsx'] });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const origin = `http://127.0.0.1:${port}`;
  const clientFor = (dpop) => {
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${origin}/token`,
      clientId: 'bench',
      clientSecret: 'bench-secret',
      serviceName: dpop ? 'bench-dpop' : 'bench-bearer',
      dpop,
    });
    return new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(origin).withTokenAuth(new TokenManager(provider)).build(),
    );
  };
  const clients = { bearer: clientFor(false), dpop: clientFor(true) };
  const run = async (client, count) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) (await client.get('/items')).json();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  for (const client of Object.values(clients)) await run(client, 500); // warm-up (and the token)
  const cpu = { bearer: [], dpop: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? ['bearer', 'dpop'] : ['dpop', 'bearer']) {
      const before = process.cpuUsage();
      await run(clients[name], REQUESTS);
      const used = process.cpuUsage(before);
      cpu[name].push((used.user + used.system) / REQUESTS);
    }
  }
  const bearer = median(cpu.bearer);
  const dpop = median(cpu.dpop);
  console.log(`${ROUNDS} rounds × ${REQUESTS} GETs, ${CONCURRENCY} concurrent, Node ${process.version}\n`);
  console.log('| scenario | client CPU µs per request (median) | range | vs bearer |');
  console.log('|---|---:|---:|---:|');
  const range = (values) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  console.log(`| requestforge, bearer token | ${bearer.toFixed(1)} | ${range(cpu.bearer)} | 1.00× |`);
  console.log(
    `| requestforge, DPoP (ES256 proof per send) | ${dpop.toFixed(1)} | ${range(cpu.dpop)} | ${(dpop / bearer).toFixed(2)}× |`,
  );
  for (const client of Object.values(clients)) await client.close();
  child.kill();
}
