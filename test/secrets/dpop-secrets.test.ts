// DPoP keys and proofs never print: not in providers, managers, tokens (util.inspect,
// JSON.stringify), not in the errors of a token endpoint that echoes what it received, not in
// toCurl or logged headers of a resource request; the DPoP header is redacted like Authorization.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  ClientCredentialsTokenProvider,
  HttpClient,
  HttpClientConfigBuilder,
  TokenManager,
  toCurl,
} from '../../src/index';
import { captureLogger } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const D = key.export({ format: 'jwk' }).d!;
const PEM = key.export({ type: 'pkcs8', format: 'pem' }).toString();
const ACCESS = 'dpop-access-token-Xy12';

let echoing: LoopbackServer;
let issuing: LoopbackServer;
beforeAll(async () => {
  // Echoes the proof back in the error description and in a challenge.
  echoing = await startServer((request, response) => {
    const proof = String(request.headers.dpop);
    response.writeHead(400, {
      'content-type': 'application/json',
      'www-authenticate': `DPoP error="invalid_dpop_proof", error_description="${proof}"`,
    });
    response.end(JSON.stringify({ error: 'invalid_dpop_proof', error_description: `got ${proof}` }));
  });
  // Issues a DPoP token; as an API, answers 200.
  issuing = await startServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    if (request.url === '/token')
      response.end(JSON.stringify({ access_token: ACCESS, token_type: 'DPoP', expires_in: 300 }));
    else response.end('{}');
  });
});
afterAll(async () => {
  await echoing?.close();
  await issuing?.close();
});

function provider(tokenUrl: string) {
  return new ClientCredentialsTokenProvider({
    tokenUrl,
    clientId: 'c',
    clientSecret: 's',
    serviceName: 'dpop-secrets',
    maxRetries: 0,
    dpop: { privateKey: key },
  });
}

function printed(value: unknown): string {
  return `${inspect(value, { depth: 10 })}\n${JSON.stringify(value)}\n${String(value)}`;
}

describe('DPoP secrets', () => {
  it('providers and managers print no key', () => {
    const p = provider(`${issuing.url}/token`);
    const manager = new TokenManager(p);
    for (const text of [printed(p), printed(manager)]) {
      expect(text).not.toContain(D);
      expect(text).not.toContain(PEM.split('\n')[1]!);
    }
  });

  it('a token endpoint that echoes the proof: the error quotes no proof', async () => {
    const failure = (await provider(`${echoing.url}/token`)
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(failure).toBeInstanceOf(AuthenticationException);
    const proof = String(echoing.requests.at(-1)!.headers.dpop);
    expect(proof.split('.')).toHaveLength(3);
    const text = `${printed(failure)}\n${failure.message}\n${JSON.stringify(failure.challenges)}`;
    expect(text).not.toContain(proof);
    expect(text).not.toContain(proof.split('.')[2]!);
  });

  it('resource requests: the DPoP header is redacted in toCurl and in logged headers', async () => {
    const logs = captureLogger();
    const client = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(issuing.url)
        .withTokenAuth(new TokenManager(provider(`${issuing.url}/token`)))
        .withLogging({ logger: logs.logger, logHeaders: true })
        .build(),
    );
    const response = await client.get('/data');
    const sent = issuing.requests.at(-1)!;
    const proof = String(sent.headers.dpop);
    expect(sent.headers.authorization).toBe(`DPoP ${ACCESS}`);
    expect(proof.split('.')).toHaveLength(3);
    const curl = toCurl(response.request);
    expect(curl).toContain('dpop: [REDACTED]');
    expect(curl).not.toContain(proof);
    expect(curl).not.toContain(ACCESS);
    expect(`${logs.text()}\n${printed(response.request)}`).not.toContain(proof);
    await client.close();
  });
});
