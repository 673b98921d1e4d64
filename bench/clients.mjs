// One factory per benchmarked client. Each returns { request(): Promise<void>, close() } doing the
// same work: one request over keep-alive, the ~1 KiB JSON body read and parsed. Each row is
// measured next to its raw-undici counterpart (`counterpartOf`): the floor, `Agent.dispatch` with a
// bare handler and one `JSON.parse` (bench/floor.mjs), for the same request.
import http from 'node:http';
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import { Agent, Pool, fetch as undiciFetch } from 'undici';
import {
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
  VERSION,
} from '../dist/index.js';
import { instrumentRequestforge } from '../dist/otel.js';
import { floorClient, gunzipJson, requestforgeHeaders } from './floor.mjs';

export const CONNECTIONS = 50;
const TOKEN = 'bench-static-token';
/** What requestforge sends on these GETs (user agent, accept-encoding, the credential); the raw rows send it too. */
const HEADERS = Object.freeze(requestforgeHeaders(VERSION, `Bearer ${TOKEN}`));
export const PAYLOAD = Object.fromEntries(
  Array.from({ length: 30 }, (_, i) => [`field${i}`, `value-${i}-${'x'.repeat(20)}`]),
);

// A pino-style logger at level "warn": the usual production setting, so request lines are off.
const silent = {
  isLevelEnabled: (level) => level === 'warn' || level === 'error',
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * A requestforge client with its own token manager. `query` shapes the token endpoint's answers
 * (`?expires_in=2&delay=20`); `configure` adds builder options.
 */
export function managedTokenClient(
  origin,
  { query = '', configure = (builder) => builder, dpop = false } = {},
) {
  const provider = new ClientCredentialsTokenProvider({
    tokenUrl: `${origin}/oauth/token${query}`,
    clientId: 'bench',
    clientSecret: 'bench-secret',
    serviceName: 'bench',
    dpop,
  });
  const manager = new TokenManager(provider, undefined, { logger: silent });
  const client = new HttpClient(
    configure(
      new HttpClientConfigBuilder().withBaseUrl(origin).withTokenAuth(manager).withConnections(CONNECTIONS),
    ).build(),
  );
  return {
    client,
    manager,
    async request() {
      (await client.get('/items')).json();
    },
    close: async () => {
      await client.close();
      await provider.close();
    },
  };
}

/** The reference rows: raw undici at its cheapest (bench/floor.mjs). */
export const FLOOR = 'undici Agent.dispatch (floor)';
/**
 * The floor measured against the floor (a second, identical client): its ratio is 1.00 by
 * construction, so its median and range show how far one run moves with nothing changed.
 */
export const FLOOR_AGAIN = 'undici Agent.dispatch (floor, a second client)';
/**
 * The floor with the credential alone, without the user agent and accept-encoding the other rows
 * send: what the two headers cost (the reference before the rows sent the same headers).
 */
export const FLOOR_AUTH_ONLY = 'undici Agent.dispatch (floor, authorization header only)';
const FLOOR_POST = 'undici Agent.dispatch POST (floor)';
const FLOOR_GUNZIP = 'undici Agent.dispatch + gunzip (floor)';

/** The raw-undici row a row is measured against: the floor for the same request (a floor: itself). */
export function counterpartOf(name) {
  if (name === FLOOR || name === FLOOR_POST || name === FLOOR_GUNZIP) return name;
  if (name.includes('POST')) return FLOOR_POST;
  if (name.includes('gzip')) return FLOOR_GUNZIP;
  return FLOOR;
}

/** Rows that cost several times the floor: measured with a quarter of the requests (per-request figures). */
export const HEAVY = new Set(['undici.fetch', 'axios', 'got 14', 'ky 1']);

export const clients = {
  [FLOOR]: (origin) => floorClient(origin, { connections: CONNECTIONS, headers: HEADERS }),
  [FLOOR_AGAIN]: (origin) => floorClient(origin, { connections: CONNECTIONS, headers: HEADERS }),
  [FLOOR_AUTH_ONLY]: (origin) =>
    floorClient(origin, { connections: CONNECTIONS, headers: { authorization: `Bearer ${TOKEN}` } }),
  [FLOOR_POST]: (origin) =>
    floorClient(origin, {
      connections: CONNECTIONS,
      method: 'POST',
      headers: { ...HEADERS, 'content-type': 'application/json' },
      // Serialising is part of the work: a fresh string per request, as the clients do.
      makeBody: () => JSON.stringify(PAYLOAD),
    }),
  [FLOOR_GUNZIP]: (origin) =>
    floorClient(origin, {
      connections: CONNECTIONS,
      path: '/items.gz',
      headers: HEADERS,
      decode: gunzipJson,
    }),
  'undici Pool.request': (origin) => {
    const pool = new Pool(origin, { connections: CONNECTIONS });
    return {
      async request() {
        const { body } = await pool.request({
          path: '/items',
          method: 'GET',
          headers: HEADERS,
        });
        await body.json();
      },
      close: () => pool.close(),
    };
  },
  'undici.fetch': (origin) => {
    const dispatcher = new Agent({ connections: CONNECTIONS });
    return {
      async request() {
        const response = await undiciFetch(`${origin}/items`, {
          dispatcher,
          headers: HEADERS,
        });
        await response.json();
      },
      close: () => dispatcher.close(),
    };
  },
  'node:http keep-alive': (origin) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const url = new URL(`${origin}/items`);
    return {
      request: () =>
        new Promise((resolve, reject) => {
          const req = http.request(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              agent,
              headers: HEADERS,
            },
            (res) => {
              const chunks = [];
              res.on('data', (chunk) => chunks.push(chunk));
              res.on('end', () => {
                try {
                  JSON.parse(Buffer.concat(chunks).toString('utf8'));
                  resolve();
                } catch (error) {
                  reject(error);
                }
              });
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end();
        }),
      close: async () => agent.destroy(),
    };
  },
  axios: (origin) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const instance = axios.create({
      baseURL: origin,
      httpAgent: agent,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return {
      async request() {
        await instance.get('/items');
      },
      close: async () => agent.destroy(),
    };
  },
  'got 14': (origin) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const instance = got.extend({
      prefixUrl: origin,
      agent: { http: agent },
      retry: { limit: 0 },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return {
      async request() {
        await instance('items').json();
      },
      close: async () => agent.destroy(),
    };
  },
  'ky 1': (origin) => {
    const instance = ky.create({
      prefixUrl: origin,
      retry: 0,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return {
      async request() {
        await instance.get('items').json();
      },
      close: async () => undefined,
    };
  },
  'requestforge bearer': (origin) => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(origin)
        .withBearerToken(TOKEN)
        .withConnections(CONNECTIONS)
        .build(),
    );
    return {
      async request() {
        (await client.get('/items')).json();
      },
      close: () => client.close(),
    };
  },
  'requestforge bearer, decompression off': (origin) => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(origin)
        .withBearerToken(TOKEN)
        .withConnections(CONNECTIONS)
        .withDecompression(false)
        .build(),
    );
    return {
      async request() {
        (await client.get('/items')).json();
      },
      close: () => client.close(),
    };
  },
  'requestforge managed token': (origin) => managedTokenClient(origin),
  // requestforge/otel switched on with no OpenTelemetry SDK registered (the API's no-op providers),
  // only while this row is measured: the channels are process-wide. Compare with the row above.
  'requestforge managed token + otel (no SDK)': (origin) => {
    const client = managedTokenClient(origin);
    let instrumentation;
    return {
      ...client,
      begin: () => {
        instrumentation = instrumentRequestforge();
      },
      end: () => instrumentation?.disable(),
    };
  },
  'requestforge token+retry+logging': (origin) =>
    managedTokenClient(origin, {
      configure: (builder) =>
        builder
          .withRetry({ maxRetries: 3 })
          .withLogging({ logger: silent, logHeaders: false, logBody: false }),
    }),
  'requestforge gzip JSON GET': (origin) => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(origin)
        .withBearerToken(TOKEN)
        .withConnections(CONNECTIONS)
        .build(),
    );
    return {
      async request() {
        (await client.get('/items.gz')).json();
      },
      close: () => client.close(),
    };
  },
  'requestforge 1 KiB JSON POST': (origin) => {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(origin)
        .withBearerToken(TOKEN)
        .withConnections(CONNECTIONS)
        .build(),
    );
    return {
      async request() {
        (await client.post('/items', { json: PAYLOAD })).json();
      },
      close: () => client.close(),
    };
  },
  // A DPoP-bound token (RFC 9449): `Authorization: DPoP` and a fresh ES256 proof (new jti, iat,
  // ath) signed for every send. The report also sets it beside the managed bearer token.
  'requestforge DPoP-bound token': (origin) => managedTokenClient(origin, { dpop: true }),
};

/**
 * The HTTP/2 scenario's clients, against a TLS server that speaks h2 and HTTP/1.1: requestforge
 * and undici's `allowH2` Agent, each with HTTP/1.1 and HTTP/2.
 */
export function tlsClients(ca) {
  const requestforge = (http2) => (origin) => {
    const builder = new HttpClientConfigBuilder().withBaseUrl(origin).withTls({ ca }).withBearerToken(TOKEN);
    const client = new HttpClient((http2 ? builder.withHttp2() : builder).build());
    return {
      async request() {
        (await client.get('/items')).json();
      },
      close: () => client.close(),
    };
  };
  const undici = (allowH2) => (origin) => {
    const agent = new Agent({ allowH2, connect: { ca } });
    return {
      async request() {
        const { body } = await agent.request({
          origin,
          path: '/items',
          method: 'GET',
          headers: HEADERS,
        });
        await body.json();
      },
      close: () => agent.close(),
    };
  };
  return {
    'undici Agent HTTP/1.1': undici(false),
    'undici Agent allowH2': undici(true),
    'requestforge HTTP/1.1': requestforge(false),
    'requestforge withHttp2()': requestforge(true),
  };
}
