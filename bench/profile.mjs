// Profiles one benchmark client in steady state (after a warm-up) and prints the functions with the
// most self time: `node bench/profile.mjs "requestforge bearer" [requests] [top]`.
// PROFILE_OUT=file.cpuprofile also saves the profile (Chrome DevTools, speedscope).
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { clients } from './clients.mjs';
import { drive } from './drive.mjs';

const name = process.argv[2] ?? 'requestforge bearer';
const total = Number(process.argv[3] ?? 60_000);
const top = Number(process.argv[4] ?? 20);
const server = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)));
const port = await new Promise((resolve) => server.on('message', (message) => resolve(message.port)));
const client = clients[name](`http://127.0.0.1:${port}`);
await drive(client.request, Math.min(10_000, total), 50);

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const cpu0 = process.cpuUsage();
const started = performance.now();
await drive(client.request, total, 50);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const { profile } = await session.post('Profiler.stop');
session.disconnect();
await client.close();
server.kill();
if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));

// Self time per function: samples whose leaf is the node, times the mean sample interval.
const samples = profile.samples.length;
const sampleUs = (profile.endTime - profile.startTime) / Math.max(1, samples);
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const self = new Map();
const areas = new Map();
const areaOf = (url) =>
  url.includes('/dist/')
    ? 'requestforge'
    : url.includes('node_modules/undici')
      ? 'undici'
      : url.includes('/bench/')
        ? 'benchmark'
        : url === ''
          ? 'native, GC, idle'
          : 'node';
for (const node of profile.nodes) {
  const area = areaOf(node.callFrame.url);
  areas.set(area, (areas.get(area) ?? 0) + (hits.get(node.id) ?? 0));
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/|dist\/|bench\/)/, '$1').replace(/^node:/, 'node:');
  const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + (hits.get(node.id) ?? 0));
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
const perRequestUs = (count) => (count * sampleUs) / total;
console.log(
  `${name}: ${((total / wallMs) * 1000).toFixed(0)} req/s, ${((cpu.user + cpu.system) / total).toFixed(1)} µs CPU/request (steady state, ${total} requests, profiler on)\n`,
);
console.log('| self % | self µs/request | function |\n|---:|---:|---|');
for (const [key, count] of rows)
  console.log(`| ${((count / samples) * 100).toFixed(1)} | ${perRequestUs(count).toFixed(2)} | \`${key}\` |`);
console.log(
  `\nSelf time per request by where the code lives: ${[...areas]
    .sort((a, b) => b[1] - a[1])
    .map(([area, count]) => `${area} ${perRequestUs(count).toFixed(1)} µs`)
    .join(', ')}`,
);
