// `npm run bench:signing`: what client authentication costs per token request. For each method
// that signs (RS256, PS256, ES256, EdDSA with private_key_jwt; HS256 with client_secret_jwt), the
// credentials of one attempt are made as a token request makes them (claims, a random jti, the
// signature, the form fields) SIGNING_ITERATIONS times per round (2000), BENCH_ROUNDS rounds (7);
// reports the median µs per assertion and the CPU time, next to client_secret_post (no signing).
// A token request is made once per token lifetime, so this is a cost per expiry, not per API call.
// Run with tsx (it measures the library's own strategies, as the providers call them).
import { generateKeyPairSync } from 'node:crypto';
import { createClientAuth } from '../src/tokens/client-auth/create.ts';
import { percentile } from './stats.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ITERATIONS = Number(process.env.SIGNING_ITERATIONS ?? 2000);
const context = { serviceName: 'bench', fallback: undefined, callerTransport: false };
const target = { clientId: 'bench-client', audience: 'https://login.example.com' };

const methods = [
  [
    'RS256 (private_key_jwt, RSA 2048)',
    { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
  ],
  [
    'PS256 (private_key_jwt, RSA 2048)',
    { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, signingAlg: 'PS256' },
  ],
  [
    'ES256 (private_key_jwt, P-256)',
    { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  ],
  ['EdDSA (private_key_jwt, Ed25519)', { privateKey: generateKeyPairSync('ed25519').privateKey }],
  [
    'HS256 (client_secret_jwt)',
    { clientSecret: 'a-client-secret-of-32-bytes-or-more!', authMethod: 'client_secret_jwt' },
  ],
  ['client_secret_post (no signing)', { clientSecret: 'a-client-secret' }],
];

console.log(`${ROUNDS} rounds × ${ITERATIONS} assertions per method, Node ${process.version}\n`);
console.log('| method | µs per assertion (median) | range | CPU µs per assertion |');
console.log('|---|---:|---:|---:|');
for (const [name, options] of methods) {
  const { strategy } = createClientAuth(options, context);
  for (let i = 0; i < 200; i++) strategy.credentials(target); // warm-up
  const perRound = [];
  const cpu = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i++) strategy.credentials(target);
    perRound.push(((performance.now() - started) * 1000) / ITERATIONS);
  }
  const used = process.cpuUsage(cpu);
  const cpuPer = (used.user + used.system) / (ROUNDS * ITERATIONS);
  const sorted = [...perRound].sort((a, b) => a - b);
  const fmt = (n) => n.toFixed(1);
  console.log(
    `| ${name} | ${fmt(percentile(sorted, 50))} | ${fmt(sorted[0])}–${fmt(sorted.at(-1))} | ${fmt(cpuPer)} |`,
  );
}
