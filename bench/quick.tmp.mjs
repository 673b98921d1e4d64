import { fork } from 'node:child_process';
import { Pool } from 'undici';
import { HttpClient, HttpClientConfigBuilder } from '/work/main/dist/index.js';

const child = fork('/work/main/bench/server.mjs');
const port = await new Promise((r) => child.on('message', (m) => r(m.port)));
const origin = `http://127.0.0.1:${port}`;
const pool = new Pool(origin, { connections: 50 });
const client = new HttpClient(
  new HttpClientConfigBuilder().withBaseUrl(origin).withBearerToken('tok').withConnections(50).build(),
);
const raw = async () => {
  const { body } = await pool.request({
    path: '/items',
    method: 'GET',
    headers: { authorization: 'Bearer tok' },
  });
  await body.json();
};
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
for (const f of [raw, rf]) await run(f, 3000);
for (let round = 0; round < 3; round++)
  for (const [name, f] of [
    ['raw', raw],
    ['rf', rf],
  ]) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(f, 20000);
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    console.log(
      name,
      ((20000 / t) * 1000).toFixed(0),
      'req/s',
      ((c.user + c.system) / 20000).toFixed(1),
      'µs/req',
    );
  }
await pool.close();
await client.close();
child.kill();
