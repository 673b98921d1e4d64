import { fork } from 'node:child_process';
import { HttpClient, HttpClientConfigBuilder } from '../dist/index.js';

const child = fork('bench/server.mjs');
const port = await new Promise((r) => child.on('message', (m) => r(m.port)));
const origin = `http://127.0.0.1:${port}`;
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(origin).withBearerToken('tok').withConnections(50).build(),
);
const rf = async () => {
  const r = await client.get('/items');
  r.json();
};
async function run(fn, n, conc = 50) {
  let i = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (i++ < n) await fn();
    }),
  );
}
await run(rf, 60000);
await client.close();
child.kill();
