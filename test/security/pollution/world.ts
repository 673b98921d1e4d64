// The polluted world the child processes run in: what is polluted, and servers that report what
// really arrived (raw headers, raw target, raw body), read without trusting any prototype.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TLS_FIXTURES } from '../../support/loopback-server';

/**
 * Object.prototype keys an attacker sets (data only, as a vulnerable merge of JSON would). Not
 * `error` nor `signal`: undici's own request objects read `this.error`, and the socket options
 * undici hands to Node are read for `signal`, through their prototypes, so polluting either fails
 * every connection below requestforge, whatever it does.
 */
export const POLLUTION: ReadonlyArray<readonly [string, unknown]> = [
  // request options
  ['headers', { 'x-injected': 'evil' }],
  ['params', { polluted: '1' }],
  ['query', { polluted: '1' }], // undici's dispatch options
  ['json', { polluted: true }],
  ['data', { polluted: '1' }],
  ['body', 'polluted-body'],
  ['method', 'DELETE'],
  ['url', 'http://evil.example/'],
  ['timeoutMs', 1],
  ['followRedirects', false],
  ['upgrade', 'websocket'],
  ['expectContinue', true],
  ['maxRedirections', 5],
  // header and parameter names
  ['x-injected', 'evil'],
  ['authorization', 'Bearer attacker-token'],
  ['cookie', 'evil=1'],
  ['content-type', 'text/evil'],
  ['x-api-key', 'attacker-key'],
  ['polluted', '1'],
  // auth hooks
  ['excludedPaths', ['/', '/protected']],
  ['excludedPathPatterns', ['*', '/*']],
  ['caseInsensitivePaths', true],
  ['headerName', 'x-leaked-token'],
  ['headerPrefix', 'Stolen'],
  ['strategy', 'all'],
  // retry and redirects
  ['maxRetries', 7],
  ['retryMethods', ['POST', 'GET']],
  ['retryableStatusCodes', [200, 201]],
  ['authErrorCodes', [200]],
  ['delayMs', 30_000],
  ['baseDelayMs', 30_000],
  ['follow', false],
  ['maxRedirects', 0],
  // builder inputs
  ['logBody', true],
  ['logHeaders', true],
  ['rejectUnauthorized', false],
  ['raiseForStatus', true],
  // providers and their grants
  ['grantType', 'password'],
  ['scope', 'admin'],
  ['extraParams', { audience: 'evil-audience' }],
  ['authMethod', 'header'],
  ['allowInsecureTokenUrl', true],
  ['grant_type', 'evil_grant'],
  ['audience', 'evil-audience'],
  ['client_id', 'evil-client'],
  ['resource', 'https://evil.example'],
  // client authentication and discovery
  ['issuer', 'https://evil.example'],
  ['revocationUrl', 'https://evil.example/revoke'],
  ['tls', { ca: 'polluted' }],
  ['privateKey', 'polluted-key'],
  ['clientAssertion', 'polluted-assertion'],
  ['clientAssertionFile', '/etc/passwd'],
  ['assertionAudience', 'https://evil.example'],
  ['token_endpoint', 'https://evil.example/token'],
  ['revocation_endpoint', 'https://evil.example/revoke'],
  ['mtls_endpoint_aliases', { token_endpoint: 'https://evil.example/token' }],
  ['token_endpoint_auth_methods_supported', ['none']],
  ['issued_token_type', 'urn:evil'],
  ['subjectToken', 'attacker-subject-token'],
  // token responses
  ['access_token', 'attacker-access-token'],
  ['token_type', 'Stolen'],
  ['expires_in', 1],
  ['refresh_token', 'attacker-refresh-token'],
  // managers
  ['refreshLeewayMs', 10 * 365 * 24 * 3600 * 1000],
  ['fetchTimeoutMs', 1],
  ['minForcedRefreshIntervalMs', 0],
  // pipelines
  ['requestHeaders', { 'x-injected': 'evil' }],
  ['requestData', { polluted: '1' }],
  ['contentType', 'json'],
  ['tokenField', 'polluted'],
  ['tokenHeader', 'x-polluted-token'],
  ['dependsOn', ['ghost']],
  ['ttlMs', 1],
  // names of internal optional fields
  ['form', { polluted: '1' }],
  ['previous', { refreshToken: 'attacker-refresh-token', accessToken: 'x' }],
  ['keys', { accessTokenKey: 'polluted' }],
  ['secrets', []],
  ['stream', {}],
  ['extra', { polluted: true }],
  ['issuedAt', 0],
  ['expiresAt', 1],
  ['refreshToken', 'attacker-refresh-token'],
  ['accessToken', 'attacker-access-token'],
  ['tokenType', 'Stolen'],
  ['logger', {}],
  ['now', 1],
  ['storage', {}],
  ['cacheKeyPrefix', 'polluted'],
  ['refreshFromStep', 'ghost'],
  ['validateDependencies', false],
  ['dispatcher', {}],
  ['httpClient', {}],
  ['tls', { rejectUnauthorized: false }],
  // connection options undici and Node read from objects they build
  ['socketPath', '/nonexistent/requestforge-polluted.sock'],
  ['localAddress', '203.0.113.9'],
  ['ca', TLS_FIXTURES.ca.toString('utf8')], // the CA of the test server's certificate
  ['servername', 'evil.example'],
  ['proxy', 'http://127.0.0.1:9'],
];

export function pollute(): void {
  for (const [key, value] of POLLUTION) (Object.prototype as Record<string, unknown>)[key] = value;
}

export function unpollute(): void {
  for (const [key] of POLLUTION) delete (Object.prototype as Record<string, unknown>)[key];
  delete (Object.prototype as Record<string, unknown>).toJSON;
}

/** What a server saw of one request, as own data only. */
export interface Seen {
  readonly method: string;
  readonly target: string;
  /** Lower-case header names to values, from the raw header list. */
  readonly headers: Map<string, string>;
  readonly body: string;
}

export interface RecordingServer {
  readonly url: string;
  readonly seen: Seen[];
  /** Answers for a path; the default is 200 with `{}`. */
  readonly routes: Map<string, (seen: Seen, response: http.ServerResponse) => void>;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const seen: Seen[] = [];
  const routes = new Map<string, (seen: Seen, response: http.ServerResponse) => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = new Map<string, string>();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        headers.set(req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!);
      }
      const record: Seen = {
        method: req.method ?? '',
        target: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(record);
      const path = record.target.split('?')[0]!;
      const route = routes.get(path);
      if (route) route(record, res);
      else {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    routes,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Throws when `condition` is false: the children have no test framework. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** The header names a request carried, sorted, without the transport's own. */
export function headerNames(seen: Seen): string[] {
  const transport = new Set([
    'host',
    'connection',
    'content-length',
    'transfer-encoding',
    'user-agent',
    'accept',
    'accept-encoding',
  ]);
  return [...seen.headers.keys()].filter((name) => !transport.has(name)).sort();
}
