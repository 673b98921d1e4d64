// HTTP/2 against HTTP/1.1 on TLS at concurrency 100: requestforge (withHttp2() and without), each
// paired with undici's own Agent (allowH2 and without).
import { readFileSync } from 'node:fs';
import { tlsClients } from './clients.mjs';
import { drive, timed } from './drive.mjs';
import { pairedRounds } from './paired.mjs';

const COUNTERPARTS = {
  'requestforge HTTP/1.1': 'undici Agent HTTP/1.1',
  'requestforge withHttp2()': 'undici Agent allowH2',
};

export async function http2Scenario(tlsOrigin, { rounds, requests, concurrency }) {
  const factories = tlsClients(readFileSync(new URL('../test/fixtures/ca.crt', import.meta.url)));
  const made = Object.fromEntries(Object.keys(factories).map((name) => [name, factories[name](tlsOrigin)]));
  for (const client of Object.values(made)) await drive(client.request, 1_000, concurrency);
  const measure = async (name) => {
    const { wallMs, cpuMs } = await timed(() => drive(made[name].request, requests, concurrency));
    return { rps: (requests / wallMs) * 1000, cpuUs: (cpuMs * 1000) / requests };
  };
  const { medians, ratios } = await pairedRounds({
    rounds,
    rows: Object.keys(COUNTERPARTS),
    counterpartOf: (name) => COUNTERPARTS[name],
    measure,
  });
  for (const client of Object.values(made)) await client.close();
  return {
    concurrency,
    rows: Object.keys(made).map((name) => ({
      name,
      counterpart: COUNTERPARTS[name],
      ...medians[name],
      ratios: ratios[name],
    })),
  };
}
