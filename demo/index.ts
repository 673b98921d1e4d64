// `npm run demo`: requestforge against embedded local servers. No network, nothing to configure.
import { generateKeyPairSync } from 'node:crypto';
import { dpopStandIns } from '../examples/support/dpop-stand-ins';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  CorrelationIdHook,
  HttpClient,
  HttpClientConfigBuilder,
  type Logger,
  type RequestBuildException,
  type TimeoutException,
  TokenManager,
} from '../src/index';
import { authServer, json, serve } from './servers';

const STATIC_TOKEN = 'demo-static-token';
const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-client-secret';
// The client's key pair: the private key stays here, the token endpoint knows the public key.
const CLIENT_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const title = (text: string) => console.log(`\n${bold(`▶ ${text}`)}`);
const line = (text: string) => console.log(`  ${text}`);

async function main() {
  const stranger = await serve((_req, res) => json(res, 200, { note: 'a server you do not trust' }));
  const auth = await authServer(CLIENT_ID, CLIENT_SECRET, CLIENT_KEY.publicKey);
  let flaky = 0;
  const api = await serve((req, res) => {
    const url = req.url ?? '';
    if (url === '/v1/slow') return; // never answers
    if (url === '/v1/moved') return json(res, 302, {}, { location: `${stranger.url}/collect` });
    if (url.startsWith('/v1/flaky'))
      return ++flaky % 3 === 0 ? json(res, 200, { ok: true }) : json(res, 503, {}, { 'retry-after': '0' });
    if (url.startsWith('/v1/public')) return json(res, 200, { public: true });
    const credential = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (credential !== STATIC_TOKEN && !auth.live.has(credential))
      return json(res, 401, { error: 'invalid_token' });
    json(res, 200, { id: 1, name: 'Ada Lovelace' });
  });
  const servers = [stranger, auth, api];

  try {
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${api.url}/v1`)
        .withBearerToken(STATIC_TOKEN)
        .withTimeout(300)
        .build(),
    );

    title('Static bearer token');
    const user = await client.get('/users/1');
    line(`GET /users/1 → ${user.statusCode} ${JSON.stringify(user.json())}`);
    line(`the request prints redacted: ${JSON.stringify(user.request)}`);

    title('Credentials stay with their origin');
    const moved = await client.get('/moved');
    line(`GET /moved → 302 → ${moved.url} (${moved.statusCode})`);
    line(
      `the other origin received Authorization: ${stranger.received.at(-1)?.headers.authorization ?? '(none)'}`,
    );

    title('Ambiguous paths are refused before anything is sent');
    for (const path of ['//evil.example/steal', '/users/../../admin', '/users\r\nX-Injected: 1']) {
      const error = (await client.get(path).catch((e: unknown) => e)) as RequestBuildException;
      line(`${JSON.stringify(path)} → ${error.name}: ${error.message}`);
    }

    title('Managed OAuth 2 tokens: 100 racing requests, one token fetch');
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/oauth/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      serviceName: 'demo-api',
    });
    const manager = new TokenManager(provider);
    const managed = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${api.url}/v1`)
        .withTokenAuth(manager, { excludedPathPatterns: ['/public/*'] })
        .build(),
    );
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => managed.get(`/users/${i}`)));
    line(
      `${burst.filter((r) => r.statusCode === 200).length} × 200, token endpoint called ${auth.tokenRequests()} time(s)`,
    );

    title('A revoked token: one refresh, the request is replayed');
    auth.live.clear();
    const replayed = await Promise.all(Array.from({ length: 20 }, () => managed.get('/users/1')));
    line(
      `20 requests got 401 with the old token → ${replayed.every((r) => r.statusCode === 200) ? 'all 200' : 'failures'} after ${auth.tokenRequests() - 1} refresh`,
    );

    title('Path exclusion decides on the URL that goes on the wire');
    for (const path of ['/public/docs', '/public/../users/1', '/users/../public/x']) {
      const response = await managed.get(path);
      const sent = api.received.at(-1)!;
      line(
        `${path} → sent as ${sent.url} ${sent.headers.authorization ? 'with' : 'without'} the token (${response.statusCode})`,
      );
    }
    await managed.close();
    await provider.close();

    title('No shared secret: private_key_jwt (a signed assertion per token request)');
    const keyAuth = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/oauth/token`,
      clientId: CLIENT_ID,
      privateKey: CLIENT_KEY.privateKey,
      keyId: 'demo-key-1',
      serviceName: 'demo-api',
    });
    const keyManaged = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${api.url}/v1`)
        .withTokenAuth(new TokenManager(keyAuth))
        .build(),
    );
    const viaKey = await keyManaged.get('/users/1');
    const checked = auth.lastAssertion();
    line(
      `GET /users/1 → ${viaKey.statusCode}; the token endpoint verified a private_key_jwt assertion: alg ${checked?.alg}, kid ${checked?.kid}, aud ${checked?.aud}`,
    );
    await keyManaged.close();

    title('DPoP: a token bound to a key this service holds (a fresh proof per request)');
    const dpop = await dpopStandIns();
    const bound = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(dpop.apiUrl)
        .withTokenAuth(
          new TokenManager(
            new ClientCredentialsTokenProvider({
              tokenUrl: dpop.tokenUrl,
              clientId: CLIENT_ID,
              clientSecret: CLIENT_SECRET,
              serviceName: 'demo-dpop',
              dpop: true,
            }),
          ),
        )
        .build(),
    );
    const viaDpop = await bound.get('/orders');
    for (const entry of dpop.log) line(entry);
    line(`GET /orders → ${viaDpop.statusCode} with Authorization: DPoP and a proof the API verified`);
    await bound.close();
    await dpop.close();

    title('A token endpoint failure is a typed, secret-free AuthenticationException');
    const wrong = new ClientCredentialsTokenProvider({
      tokenUrl: `${auth.url}/oauth/token`,
      clientId: CLIENT_ID,
      clientSecret: 'not-the-secret',
      serviceName: 'demo-api',
    });
    const misconfigured = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${api.url}/v1`)
        .withTokenAuth(new TokenManager(wrong))
        .build(),
    );
    const failure = (await misconfigured.get('/users/1').catch((e: unknown) => e)) as AuthenticationException;
    line(
      `${failure instanceof AuthenticationException ? 'AuthenticationException' : 'unexpected'}: ${failure.message}`,
    );
    line(`serviceName=${failure.serviceName} error=${failure.error}; JSON: ${JSON.stringify(failure)}`);
    await misconfigured.close();
    await wrong.close();

    title('Retries with backoff, hooks and redacted logging');
    const logger: Logger = {
      info: (message) => line(`log: ${message}`),
      warn: (message) => line(`log: ${message}`),
      error: (message) => line(`log: ${message}`),
    };
    const resilient = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(`${api.url}/v1`)
        .withBearerToken(STATIC_TOKEN)
        .withRetry({ maxRetries: 3, baseDelayMs: 50 })
        .withRequestHook(new CorrelationIdHook())
        .withLogging({ logger })
        .build(),
    );
    const retried = await resilient.get('/flaky', { params: { password: 'hunter2' } });
    line(
      `GET /flaky → ${retried.statusCode} after 3 attempts; the password in the query never reaches the log`,
    );
    await resilient.close();

    title('Typed errors');
    const timeout = (await client.get('/slow').catch((e: unknown) => e)) as TimeoutException;
    line(`GET /slow → ${timeout.name} (${timeout.code}): ${timeout.message}`);
    await client.close();

    console.log(
      '\nDone. examples/ has a runnable file for every example of the guide; npm run bench measures the speed.',
    );
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
