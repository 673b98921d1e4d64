// HTTP/2: withHttp2() offers h2 by ALPN; concurrent requests share one multiplexed session.
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
let sessions = 0;
const server = http2.createSecureServer({
  cert: fixture('server.crt'),
  key: fixture('server.key'),
  allowHTTP1: true,
});
server.on('session', () => sessions++);
server.on('request', (req, res) => {
  setTimeout(
    () => res.end(JSON.stringify({ version: req.httpVersion, auth: req.headers.authorization })),
    10,
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

const client = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)
    .withTls({ ca: fixture('ca.crt') }) // a local test CA
    .withBearerToken('your-api-token-here')
    .withHttp2()
    .build(),
);
const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => client.get(`/items/${i}`)));
const first = responses[0]!.json<{ version: string; auth: string }>();
console.log(`50 requests: HTTP/${first.version}, ${first.auth}, over ${sessions} session(s)`);

await client.close();
server.close();
