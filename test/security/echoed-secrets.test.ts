// Servers that echo what they were sent: in logged bodies, ResponseParseException previews and
// token-endpoint error descriptions, no credential survives, in whatever spelling it comes back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  BodyTokenFetcher,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  PasswordGrantTokenProvider,
  ResponseParseException,
} from '../../src/index';
import { captureLogger } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const BEARER = 'bearer-Tok.9x-Secret_77';
const PASSWORD = 'pa ss/w+rd"Q7&z';
const CLIENT_ID = 'svc client';
const CLIENT_SECRET = 'cl1ent sec/ret+"Zq8&=x';
const COOKIE = 'sid=cookie-Sess-9911; theme=dark; csrf=csrf-Tok-5522';

let server: LoopbackServer;
/** What the server answers: a function of the request it got. */
let answer: (request: { headers: Record<string, string | string[] | undefined>; body: string }) => {
  status: number;
  type: string;
  body: string;
};

beforeAll(async () => {
  server = await startServer((request, response) => {
    const { status, type, body } = answer(request);
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const form = (text: string) => encodeURIComponent(text).replaceAll('%20', '+');

/** Every way an echoing server may spell what it got back. */
const ECHOES: Array<
  [string, (headers: Record<string, string | string[] | undefined>, body: string) => string]
> = [
  ['the Authorization header line', (h) => `rejected: Authorization: ${h.authorization}`],
  ['the Authorization header in JSON', (h) => JSON.stringify({ seen: { authorization: h.authorization } })],
  [
    'the credentials only, raw',
    (h) => `token ${String(h.authorization).split(' ').slice(1).join(' ')} is invalid`,
  ],
  ['the Cookie list', (h) => `Cookie: ${h.cookie}\r\nnext line`],
  [
    'a Set-Cookie list in JSON',
    (h) =>
      `{"set-cookie":[${String(h.cookie)
        .split('; ')
        .map((c) => JSON.stringify(c))
        .join(',')}]`,
  ],
  ['a cookie value on its own', (h) => `unknown session ${String(h.cookie).split(';')[0]!.split('=')[1]}`],
  ['the body as received', (_h, body) => `could not parse ${body}`],
  ['the body JSON-escaped', (_h, body) => `{"error":${JSON.stringify(`bad body ${body}`)}`],
];

describe('ResponseParseException previews', () => {
  it.each(ECHOES)('quote no credential when the server echoes %s', async (_name, echo) => {
    answer = ({ headers, body }) => ({
      status: 200,
      type: 'text/plain',
      body: `${echo(headers, body)} <html`,
    });
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withBearerToken(BEARER)
        .withHeader('Cookie', COOKIE)
        .build(),
    );
    const response = await client.post('/x', { data: { password: PASSWORD } });
    const error = (() => {
      try {
        response.json();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResponseParseException);
    const preview = String((error as ResponseParseException).context.preview);
    for (const secret of [BEARER, 'cookie-Sess-9911', 'csrf-Tok-5522', PASSWORD, form(PASSWORD)]) {
      expect(preview).not.toContain(secret);
    }
    expect(preview).toMatch(/\[REDACTED\]/);
    await client.close();
  });

  it('a secret straddling the 120-character cut leaves no prefix behind', async () => {
    answer = () => ({ status: 200, type: 'text/plain', body: `${'x'.repeat(110)}${BEARER} trailing` });
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withBearerToken(BEARER).build(),
    );
    const response = await client.get('/x');
    expect(() => response.json()).toThrow(ResponseParseException);
    let preview = '';
    try {
      response.json();
    } catch (e) {
      preview = String((e as ResponseParseException).context.preview);
    }
    expect(preview).not.toContain(BEARER.slice(0, 10));
    await client.close();
  });
});

describe('logged bodies', () => {
  it.each(ECHOES)('show no credential when the server echoes %s', async (_name, echo) => {
    answer = ({ headers, body }) => ({ status: 200, type: 'text/plain', body: echo(headers, body) });
    const log = captureLogger();
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withBasicAuth('user', PASSWORD)
        .withHeader('Cookie', COOKIE)
        .withLogging({ logger: log.logger, logBody: true })
        .build(),
    );
    await client.post('/x', { data: { password: PASSWORD } });
    const text = log.text();
    expect(text).toContain('response body');
    for (const secret of [
      PASSWORD,
      form(PASSWORD),
      b64(`user:${PASSWORD}`),
      'cookie-Sess-9911',
      'csrf-Tok-5522',
    ]) {
      expect(text).not.toContain(secret);
    }
    await client.close();
  });

  it('a request body that quotes the basic password elsewhere is scrubbed too (curl and logs)', async () => {
    answer = () => ({ status: 200, type: 'application/json', body: '{}' });
    const log = captureLogger();
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(server.url)
        .withHeader('Authorization', `Basic ${b64(`user:${PASSWORD}`)}`)
        .withLogging({ logger: log.logger, logBody: true })
        .build(),
    );
    await client.post('/x', {
      body: `note: my password is ${PASSWORD}`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(log.text()).toContain('request body');
    expect(log.text()).not.toContain(PASSWORD);
    await client.close();
  });
});

/** Every spelling of a client secret a token endpoint may echo in `error_description`. */
const SECRET_ECHOES: Array<
  [string, (headers: Record<string, string | string[] | undefined>, body: string) => string]
> = [
  ['raw', () => `client_secret ${CLIENT_SECRET} is wrong`],
  ['percent-encoded (%20)', () => `bad ${encodeURIComponent(CLIENT_SECRET)}`],
  ['form-encoded (+)', () => `bad ${form(CLIENT_SECRET)}`],
  ['as the form pair it came in', (_h, body) => `could not use ${body}`],
  ['JSON-escaped', () => JSON.stringify(`bad ${CLIENT_SECRET}`).slice(1, -1)],
  ['in the Authorization header line', (h) => `Authorization: ${h.authorization} refused`],
  [
    'as base64 of id:secret (raw, not form-encoded)',
    () => `Basic ${b64(`${CLIENT_ID}:${CLIENT_SECRET}`)} refused`,
  ],
  [
    'as base64 of id:secret (form-encoded, RFC 6749 §2.3.1)',
    () => `creds ${b64(`${form(CLIENT_ID)}:${form(CLIENT_SECRET)}`)}`,
  ],
  [
    'as base64url inside a longer blob',
    () => `state=${Buffer.from(`{"c":"${CLIENT_SECRET}"}`).toString('base64url')}`,
  ],
  ['straddling the 300-character cut', () => `${'y'.repeat(290)}${CLIENT_SECRET}`],
  ['decoded Basic password of the resource owner', () => `user pass ${PASSWORD} refused`],
];

function secretFree(error: unknown): string {
  const e = error as AuthenticationException;
  return `${e.message} ${e.errorDescription ?? ''} ${e.error ?? ''} ${JSON.stringify(e)}`;
}

const FORBIDDEN = [
  CLIENT_SECRET,
  encodeURIComponent(CLIENT_SECRET),
  form(CLIENT_SECRET),
  JSON.stringify(CLIENT_SECRET).slice(1, -1),
  b64(`${CLIENT_ID}:${CLIENT_SECRET}`),
  b64(`${form(CLIENT_ID)}:${form(CLIENT_SECRET)}`),
  CLIENT_SECRET.slice(0, 8),
  PASSWORD,
];

describe('token endpoint error descriptions', () => {
  it.each(SECRET_ECHOES)('quote no secret when the server echoes it %s', async (_name, echo) => {
    answer = ({ headers, body }) => ({
      status: 400,
      type: 'application/json',
      body: JSON.stringify({ error: 'invalid_client', error_description: echo(headers, body) }),
    });
    for (const authMethod of ['header', 'body'] as const) {
      const provider = new PasswordGrantTokenProvider({
        tokenUrl: `${server.url}/token`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        username: 'ada',
        password: PASSWORD,
        serviceName: 'echo',
        authMethod,
        maxRetries: 0,
      });
      const error = await provider.fetchToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationException);
      const text = secretFree(error);
      for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
      await provider.close();
    }
  });

  it('a Bearer credential quoted in a description loses the whole credential', async () => {
    answer = () => ({
      status: 401,
      type: 'application/json',
      body: JSON.stringify({
        error: 'invalid_token',
        error_description: 'Authorization: Bearer some-Other-Tok-31 is revoked',
      }),
    });
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      serviceName: 'echo',
      maxRetries: 0,
    });
    const error = (await provider.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error.errorDescription).toBe('Authorization: [REDACTED]');
    expect(secretFree(error)).not.toContain('some-Other-Tok-31');
    await provider.close();
  });

  it('pipeline fetchers: the request values are scrubbed in every spelling too', async () => {
    answer = (request) => ({
      status: 400,
      type: 'application/json',
      body: JSON.stringify({
        error: 'bad',
        error_description: `${b64(`app:${CLIENT_SECRET}`)} / ${request.body}`,
      }),
    });
    const fetcher = new BodyTokenFetcher({
      name: 'app',
      baseUrl: server.url,
      endpoint: '/token',
      requestData: { client_id: 'app', client_secret: CLIENT_SECRET },
      maxRetries: 0,
    });
    const error = await fetcher.fetch().catch((e: unknown) => e);
    const text = secretFree(error);
    for (const secret of FORBIDDEN.slice(0, 4)) expect(text).not.toContain(secret);
    expect(text).not.toContain(b64(`app:${CLIENT_SECRET}`).slice(4, 20));
    await fetcher.close();
  });
});
