// The command line with a DPoP profile ("dpop": true): oidc-provider issues DPoP-bound tokens
// (nonces required) and a resource server verifies every proof. The generated key lives in the
// encrypted token cache with the token, so a second run reuses both.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DPOP_SECRET, type DpopServers, startDpopServers } from '../support/dpop-servers';
import { buildCli, type CliWorkspace, runCli, workspace } from './cli-harness';

let cli: Awaited<ReturnType<typeof buildCli>>;
let servers: DpopServers | undefined;
let issuer: DpopServers['issuer'];
let api: DpopServers['api'];
let space: CliWorkspace;
const env = { RF_DPOP_SECRET: DPOP_SECRET };

beforeAll(async () => {
  [cli, servers] = await Promise.all([buildCli(), startDpopServers()]);
  ({ issuer, api } = servers);
  space = workspace();
  space.writeConfig({
    profiles: {
      default: {
        grant: 'client_credentials',
        tokenUrl: issuer.tokenUrl,
        clientId: 'svc-dpop',
        clientSecret: 'env:RF_DPOP_SECRET',
        scope: 'api:read',
        serviceName: 'dpop-api',
        baseUrl: api.origin,
        dpop: true,
      },
    },
  });
}, 120_000);

afterAll(async () => {
  cli?.remove();
  space?.remove();
  await servers?.close();
});

it('a "dpop": true profile gets a DPoP-bound token and proves it; the next run reuses token and key', async () => {
  const first = await runCli(cli.path, space, ['get', '/resource'], env);
  expect(first).toMatchObject({ code: 0, stderr: expect.stringMatching(/^HTTP 200/) });
  // The issuer requires a nonce: the first proof gets use_dpop_nonce, the second one a token.
  expect(issuer.tokenRequests.map((request) => request.dpop !== undefined)).toEqual([true, true]);
  const second = await runCli(cli.path, space, ['get', '/resource', '--verbose'], env);
  expect(second).toMatchObject({ code: 0, stderr: expect.stringMatching(/HTTP 200/) });
  expect(issuer.tokenRequests).toHaveLength(2);
  // Each run learns the API's nonce anew (one use_dpop_nonce, one more proof); both runs proved
  // the one cached token with its key: the resource server checks each proof against cnf.jkt.
  expect(api.proofs.map((proof) => proof.nonce !== undefined)).toEqual([false, true, false, true]);
  expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
  expect(api.unproven).toEqual([]);
  expect(second.stderr).toMatch(/authorization: \[REDACTED\]/i);
  expect(second.stderr).toMatch(/dpop: \[REDACTED\]/i);
  expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(DPOP_SECRET);
});

it('"dpop": { "privateKey": "file:…" } signs with that key (PEM or JWK); a key that is neither is exit 2, not echoed', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
  space.writeRaw('dpop-key.pem', pem);
  space.writeRaw('dpop-key.jwk', jwk);
  space.writeRaw('not-a-key.txt', 'not-a-key-SECRET-material');
  const profile = (privateKeyRef: string) => ({
    grant: 'client_credentials',
    tokenUrl: issuer.tokenUrl,
    clientId: 'svc-dpop',
    clientSecret: 'env:RF_DPOP_SECRET',
    scope: 'api:read',
    serviceName: `dpop-api-${privateKeyRef}`,
    baseUrl: api.origin,
    dpop: { privateKey: privateKeyRef },
  });
  space.writeConfig({
    profiles: {
      pem: profile('file:dpop-key.pem'),
      jwk: profile('file:dpop-key.jwk'),
      bad: profile('file:not-a-key.txt'),
      literal: profile('{"kty":"EC"}'),
    },
  });
  api.proofs.length = 0;
  for (const name of ['pem', 'jwk']) {
    const run = await runCli(cli.path, space, ['get', '/resource', '--profile', name], env);
    expect(run).toMatchObject({ code: 0, stderr: expect.stringMatching(/^HTTP 200/) });
  }
  expect(api.proofs.flatMap((proof) => proof.problems)).toEqual([]);
  const bad = await runCli(cli.path, space, ['get', '/resource', '--profile', 'bad'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    'profile "bad": dpop.privateKey is neither a PEM private key nor a private JWK',
  );
  expect(bad.stderr).not.toContain('SECRET');
  const literal = await runCli(cli.path, space, ['get', '/resource', '--profile', 'literal'], env);
  expect(literal.code).toBe(2);
  expect(literal.stderr).toContain('"dpop.privateKey" holds a literal secret');
});
