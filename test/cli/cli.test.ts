import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { CLIENT, type OAuthTestServer, startOAuthServer, USER } from '../support/oauth-server';
import { buildCli, type CliRun, type CliWorkspace, runCli, workspace } from './cli-harness';

let cli: Awaited<ReturnType<typeof buildCli>>;
let oauth: OAuthTestServer;
let api: LoopbackServer;
let space: CliWorkspace;
const env = { RF_CLIENT_SECRET: CLIENT.secret, RF_PASSWORD: USER.password };
const outputs: CliRun[] = [];

beforeAll(async () => {
  [cli, oauth, api] = await Promise.all([buildCli(), startOAuthServer(), startServer()]);
}, 120_000);

afterAll(async () => {
  cli?.remove();
  await Promise.all([oauth?.close(), api?.close()]);
  // Nothing the binary printed, in any run, holds a secret.
  const printed = outputs.map((run) => run.stdout + run.stderr).join('\n');
  for (const secret of [CLIENT.secret, USER.password]) expect(printed).not.toContain(secret);
});

beforeEach(() => {
  space?.remove();
  space = workspace();
  space.writeConfig({
    profiles: {
      default: {
        grant: 'client_credentials',
        tokenUrl: oauth.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: 'env:RF_CLIENT_SECRET',
        scope: 'read',
        serviceName: 'cli-test',
        baseUrl: api.url,
      },
      user: {
        grant: 'password',
        tokenUrl: oauth.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: 'env:RF_CLIENT_SECRET',
        username: USER.username,
        password: 'file:password.txt',
        baseUrl: oauth.apiUrl,
      },
    },
  });
  space.writeRaw('password.txt', `${USER.password}\n`);
  api.requests.length = 0;
});

async function rf(args: string[], extraEnv: Record<string, string> = env): Promise<CliRun> {
  const run = await runCli(cli.path, space, args, extraEnv);
  outputs.push(run);
  return run;
}

describe('requestforge token', () => {
  it('obtains a token and prints its type, expiry and scope, not the token; a second run reuses the cache', async () => {
    const before = oauth.counts.total;
    const first = await rf(['token']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^token type: Bearer$/m);
    expect(first.stdout).toMatch(/^expires: +\d{4}-\d\d-\d\dT.*Z \(in (59m|1h)/m);
    expect(first.stdout).toMatch(/^scope: +read$/m);
    expect(first.stdout).toMatch(/^source: +token endpoint/m);
    expect(first.stdout).toMatch(/opaque \(not a JWT\)/);
    const issued = oauth.issued.at(-1)!.accessToken;
    expect(first.stdout + first.stderr).not.toContain(issued);

    const second = await rf(['token', '--show-token']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^source: +cache$/m);
    expect(second.stdout).toContain(`access token: ${issued}`);
    expect(oauth.counts.total - before).toBe(1);

    // The cache is encrypted, its key readable by the owner only.
    const cached = readFileSync(join(space.cacheDir, 'requestforge', 'tokens.json'), 'utf8');
    expect(cached).not.toContain(issued);
    expect(statSync(join(space.cacheDir, 'requestforge', 'key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(space.cacheDir, 'requestforge')).mode & 0o777).toBe(0o700);
  });

  it('a password-grant profile with its password in a file', async () => {
    const run = await rf(['token', '--profile', 'user']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^refresh: +a refresh token is held$/m);
    const api = await rf(['get', '/me', '--profile', 'user']);
    expect(api.code).toBe(0);
    expect(JSON.parse(api.stdout)).toEqual({ url: '/me', user: USER.username });
  });

  it('decodes a JWT access token and marks its claims unverified', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'svc-client', aud: 'billing', exp: 4_102_444_800 })}`;
    const jwt = `${body}.${createHmac('sha256', 'k').update(body).digest('base64url')}`;
    const issuer = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: jwt, token_type: 'Bearer', expires_in: 300 }));
    });
    space.writeConfig({
      profiles: {
        default: {
          grant: 'client_credentials',
          tokenUrl: `${issuer.url}/token`,
          clientId: 'c',
          clientSecret: 'env:RF_CLIENT_SECRET',
        },
      },
    });
    const run = await rf(['token']);
    await issuer.close();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('claims (decoded, UNVERIFIED: the signature was not checked):');
    expect(run.stdout).toContain('"aud": "billing"');
    expect(run.stdout).not.toContain(jwt);
  });
});

describe('requestforge <verb>', () => {
  it.each(['get', 'post', 'put', 'patch', 'delete'])(
    '%s sends one request with the profile token',
    async (verb) => {
      const args = [verb, '/things?x=1', '-H', 'X-Trace: abc'];
      if (verb !== 'get' && verb !== 'delete') args.push('--json', '{"name":"n"}');
      const run = await rf(args);
      expect(run.code).toBe(0);
      const seen = api.requests[0]!;
      expect(seen.method).toBe(verb.toUpperCase());
      expect(seen.url).toBe('/things?x=1');
      expect(seen.headers['x-trace']).toBe('abc');
      expect(seen.headers.authorization).toMatch(/^Bearer \S+$/);
      if (args.includes('--json')) expect(seen.body).toBe('{"name":"n"}');
      expect(run.stderr).toMatch(/^HTTP 200 \(\d+ ms\)$/m);
      expect(run.stderr).toMatch(/^content-type: application\/json$/m);
      expect(JSON.parse(run.stdout).method).toBe(verb.toUpperCase());
    },
  );

  it('--curl and --verbose print the exchange with credentials redacted', async () => {
    const run = await rf(['post', '/x', '--json', '{"a":1}', '--curl', '--verbose']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^curl -X POST '[^']+\/x' .*-H 'authorization: \[REDACTED\]' --data-raw '\{"a":1\}'( --max-time [\d.]+)?$/m,
    );
    expect(run.stderr).toContain(`> POST ${api.url}/x`);
    expect(run.stderr).toContain('> authorization: [REDACTED]');
    const token = String(api.requests[0]!.headers.authorization).slice('Bearer '.length);
    expect(run.stderr).not.toContain(token); // stdout is the echo server's answer, which quotes it
  });

  it('exit 1 on an HTTP error status, with the answer printed', async () => {
    api.handle((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":"missing"}');
    });
    const run = await rf(['get', '/missing']);
    api.handle((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: request.body,
        }),
      );
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^HTTP 404/m);
    expect(run.stdout).toBe('{"error":"missing"}');
  });

  it('exit 4 on a network error, one line', async () => {
    space.writeConfig({
      profiles: {
        default: {
          grant: 'client_credentials',
          tokenUrl: oauth.tokenUrl,
          clientId: CLIENT.id,
          clientSecret: 'env:RF_CLIENT_SECRET',
          baseUrl: `http://127.0.0.1:${await closedPort()}`,
        },
      },
    });
    const run = await rf(['get', '/x']);
    expect(run.code).toBe(4);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^requestforge: .*(refused|ECONNREFUSED|connect)/i);
  });
});

describe('requestforge failures', () => {
  it('exit 3 when the token endpoint refuses, naming the OAuth error, never the secret', async () => {
    const run = await rf(['token'], { RF_CLIENT_SECRET: 'the-wrong-secret-Wq1' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^requestforge: authentication failed: .*invalid_client/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain('the-wrong-secret-Wq1');
    expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('exit 2 for a missing secret variable, naming it', async () => {
    const run = await rf(['token'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'requestforge: profile "default": "clientSecret" refers to the environment variable RF_CLIENT_SECRET, which is not set\n',
    );
  });

  it('exit 2 for a literal secret in the configuration, without echoing it', async () => {
    space.writeConfig({
      profiles: {
        default: {
          grant: 'client_credentials',
          tokenUrl: oauth.tokenUrl,
          clientId: 'c',
          clientSecret: 'literal-Secret-9',
        },
      },
    });
    const run = await rf(['token']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '"clientSecret" holds a literal secret: give a reference instead (env:VAR or file:PATH)',
    );
    expect(run.stderr).not.toContain('literal-Secret-9');
  });

  it('exit 2 for a malformed configuration file, with the line and the reason', async () => {
    space.writeRaw(
      'requestforge.config.json',
      '{\n  "profiles": {\n    "default": {\n      "grant": "client_credentials",\n      "clientSecret": "env:X",\n    }\n  }\n}\n',
    );
    const run = await rf(['token']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/requestforge\.config\.json: line 6, column 5: trailing comma before \}\n$/);
  });

  it('exit 2 for an option the provider does not know, naming the profile and the option', async () => {
    space.writeConfig({
      profiles: {
        default: {
          grant: 'client_credentials',
          tokenUrl: oauth.tokenUrl,
          clientId: 'c',
          clientSecret: 'env:RF_CLIENT_SECRET',
          scopes: 'x',
        },
      },
    });
    const run = await rf(['token']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^requestforge: profile "default": ClientCredentialsTokenProvider: unknown option "scopes"/,
    );
  });

  it('exit 2 for usage mistakes: unknown command, unknown flag, unknown profile, unknown grant, --config FILE', async () => {
    const unknownCommand = await rf(['fetch', '/x']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain('unknown command "fetch"');
    expect(unknownCommand.stderr).toContain('requestforge --help');
    expect((await rf(['get', '/x', '--bogus'])).code).toBe(2);
    const profile = await rf(['token', '--profile', 'nope']);
    expect(profile.stderr).toContain('profile "nope" not found');
    expect(profile.stderr).toContain('(profiles: default, user)');
    space.writeRaw('other.json', JSON.stringify({ profiles: { default: { grant: 'device_code' } } }));
    const grant = await rf(['token', '--config', 'other.json']);
    expect(grant.code).toBe(2);
    expect(grant.stderr).toContain('"grant" must be one of client_credentials, password');
    expect((await rf(['--help'])).code).toBe(0);
  });
});

describe('requestforge logout', () => {
  it('clears the cached tokens: the next run asks the token endpoint again', async () => {
    expect((await rf(['token'])).code).toBe(0);
    const before = oauth.counts.total;
    const out = await rf(['logout']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^removed 1 cached token and the cache key/);
    const again = await rf(['token']);
    expect(again.stdout).toMatch(/^source: +token endpoint/m);
    expect(oauth.counts.total - before).toBe(1);

    expect((await rf(['token', '--profile', 'user'])).code).toBe(0);
    const one = await rf(['logout', '--profile', 'user'], {});
    expect(one.stdout).toBe('removed 1 cached token of profile "user"\n');
    expect((await rf(['token'])).stdout).toMatch(/^source: +cache$/m);
  });
});
