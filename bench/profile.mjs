// Profiles one benchmark client: `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.mjs "requestforge bearer" [requests]`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clients } from './clients.mjs';

const name = process.argv[2] ?? 'requestforge bearer';
const total = Number(process.argv[3] ?? 60_000);
const server = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)));
const port = await new Promise((resolve) => server.on('message', (message) => resolve(message.port)));
const client = clients[name](`http://127.0.0.1:${port}`);
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (next++ < total) await client.request();
  }),
);
const cpu = process.cpuUsage();
console.log(
  `${name}: ${((total / (performance.now() - started)) * 1000).toFixed(0)} req/s, ${((cpu.user + cpu.system) / total).toFixed(1)} µs/request (incl. start-up)`,
);
await client.close();
server.kill();
