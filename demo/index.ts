// `npm run demo`: requestforge against embedded local servers. No network, nothing to configure.
import {
  CorrelationIdHook,
  HttpClient,
  HttpClientConfigBuilder,
  type Logger,
  type RequestBuildException,
  type TimeoutException,
} from '../src/index';
import { json, serve } from './servers';

const STATIC_TOKEN = 'demo-static-token';

function title(text: string) {
  console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);
}

function line(text: string) {
  console.log(`  ${text}`);
}

async function main() {
  const stranger = await serve((_req, res) => json(res, 200, { note: 'a server you do not trust' }));
  let flaky = 0;
  const api = await serve((req, res) => {
    if (req.url === '/v1/slow') return; // never answers
    if (req.url?.startsWith('/v1/flaky'))
      return ++flaky % 3 === 0 ? json(res, 200, { ok: true }) : json(res, 503, {}, { 'retry-after': '0' });
    if (req.url === '/v1/moved') return json(res, 302, {}, { location: `${stranger.url}/collect` });
    if (req.headers.authorization !== `Bearer ${STATIC_TOKEN}`)
      return json(res, 401, { error: 'unauthorized' });
    json(res, 200, { id: 1, name: 'Ada Lovelace' });
  });

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
  const seen = stranger.received.at(-1)!;
  line(`GET /moved → 302 → ${moved.url} (${moved.statusCode})`);
  line(`the other origin received Authorization: ${seen.headers.authorization ?? '(none)'}`);

  title('Ambiguous paths are refused before anything is sent');
  for (const path of ['//evil.example/steal', '/users/../../admin', '/users\r\nX-Injected: 1']) {
    const error = await client.get(path).catch((e: unknown) => e);
    line(`${JSON.stringify(path)} → ${(error as RequestBuildException).name}: ${(error as Error).message}`);
  }

  title('Retries with backoff, hooks and redacted logging');
  const logger: Logger = {
    info: (message) => line(`log: ${message}`),
    warn: (message) => line(`log: ${message}`),
    error: (message) => line(`log: ${message}`),
    debug: (message) => line(`log: ${message}`),
  };
  const resilient = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(`${api.url}/v1`)
      .withBearerToken(STATIC_TOKEN)
      .withRetry({ maxRetries: 3, baseDelayMs: 50 })
      .withRequestHook(new CorrelationIdHook())
      .withLogging({ logger, logHeaders: true })
      .build(),
  );
  const retried = await resilient.get('/flaky', { params: { password: 'hunter2' } });
  line(
    `GET /flaky → ${retried.statusCode} after 3 attempts; the password in the query and the token never reach the log`,
  );
  await resilient.close();

  title('Typed errors');
  const timeout = await client.get('/slow').catch((e: unknown) => e);
  line(
    `GET /slow → ${(timeout as TimeoutException).name} (${(timeout as TimeoutException).code}): ${(timeout as Error).message}`,
  );

  await client.close();
  await Promise.all([api.close(), stranger.close()]);
  console.log('\nDone. Read examples/ for every feature, one runnable file each.');
}

main().catch((error) => {
  console.error(error);
  // Embedded servers may still be listening: leave no doubt that the demo failed.
  process.exit(1);
});
