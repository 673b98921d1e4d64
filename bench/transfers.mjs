// Large bodies: a 50 MiB download buffered and streamed, a 10 MB JSON upload. Each requestforge row
// is paired with raw undici's `Pool.request` doing the same (arrayBuffer(), the body stream
// consumed, a JSON.stringify'd body); figures per transfer.
import { Pool } from 'undici';
import { HttpClient, HttpClientConfigBuilder } from '../dist/index.js';
import { timed } from './drive.mjs';
import { pairedRounds } from './paired.mjs';

const MIB = 2 ** 20;

/** A ~10 MB JSON document: 60,000 small records. */
function uploadDocument() {
  return {
    records: Array.from({ length: 60_000 }, (_, i) => ({
      id: i,
      name: `record-${i}`,
      tags: ['alpha', 'beta', 'gamma'],
      score: i / 7,
      active: i % 3 === 0,
      note: 'x'.repeat(80),
    })),
  };
}

async function consume(stream) {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return bytes;
}

function makeClients(origin, mb) {
  const pool = new Pool(origin, { connections: 1 });
  const client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(origin)
      .withMaxResponseBytes((mb + 1) * MIB)
      .withTimeout(120_000)
      .build(),
  );
  const document = uploadDocument();
  const blob = `/blob?mb=${mb}`;
  const expect = (bytes) => {
    if (bytes !== mb * MIB) throw new Error(`got ${bytes} bytes`);
  };
  const rows = {
    'undici Pool.request, buffered': async () => {
      const { body } = await pool.request({ path: blob, method: 'GET' });
      expect((await body.arrayBuffer()).byteLength);
    },
    'requestforge get(), buffered': async () => expect((await client.get(blob)).body.length),
    'undici Pool.request, streamed': async () => {
      const { body } = await pool.request({ path: blob, method: 'GET' });
      expect(await consume(body));
    },
    'requestforge stream()': async () => {
      const { body } = await client.stream({ method: 'GET', url: blob });
      expect(await consume(body));
    },
    'undici Pool.request, 10 MB JSON upload': async () => {
      const { body } = await pool.request({
        path: '/upload',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(document),
      });
      await body.json();
    },
    'requestforge post({ json }), 10 MB upload': async () => {
      (await client.post('/upload', { json: document })).json();
    },
  };
  return { rows, close: () => Promise.all([pool.close(), client.close()]) };
}

const COUNTERPARTS = {
  'requestforge get(), buffered': 'undici Pool.request, buffered',
  'requestforge stream()': 'undici Pool.request, streamed',
  'requestforge post({ json }), 10 MB upload': 'undici Pool.request, 10 MB JSON upload',
};

/** `transfers` of each kind per measurement. */
export async function transferScenario(origin, { rounds, mb = 50, transfers = 2 }) {
  const { rows, close } = makeClients(origin, mb);
  for (const run of Object.values(rows)) await run();
  const measure = async (name) => {
    const { wallMs, cpuMs } = await timed(async () => {
      for (let i = 0; i < transfers; i++) await rows[name]();
    });
    return { wallMs: wallMs / transfers, cpuMs: cpuMs / transfers };
  };
  const { medians, ratios } = await pairedRounds({
    rounds,
    rows: Object.keys(COUNTERPARTS),
    counterpartOf: (name) => COUNTERPARTS[name],
    measure,
  });
  await close();
  const uploadBytes = Buffer.byteLength(JSON.stringify(uploadDocument()));
  return {
    mb,
    uploadMb: uploadBytes / 1e6,
    rows: Object.entries(COUNTERPARTS).map(([name, counterpart]) => ({
      name,
      counterpart,
      ...medians[name],
      counterpartWallMs: medians[counterpart].wallMs,
      counterpartCpuMs: medians[counterpart].cpuMs,
      ratios: ratios[name],
    })),
  };
}
