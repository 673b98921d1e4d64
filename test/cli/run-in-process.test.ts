// The same command line, run in this process (cli.test.ts spawns the built binary): the paths
// that are awkward to reach from outside, and coverage of src/cli.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main';
import { FileTokenStorage } from '../../src/cli/token-cache';
import { PasswordGrantTokenProvider, TokenData } from '../../src/index';
import { closedPort } from '../support/helpers';
import { type LoopbackServer, startServer } from '../support/loopback-server';
import { CLIENT, type OAuthTestServer, startOAuthServer, USER } from '../support/oauth-server';
import { type CliWorkspace, workspace } from './cli-harness';

let oauth: OAuthTestServer;
let api: LoopbackServer;
let space: CliWorkspace;

beforeAll(async () => {
  [oauth, api] = await Promise.all([startOAuthServer(), startServer()]);
});
afterAll(async () => {
  space?.remove();
  await Promise.all([oauth.close(), api.close()]);
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
        clientSecret: 'file:secret.txt',
        baseUrl: api.url,
      },
      bare: {
        grant: 'client_credentials',
        tokenUrl: oauth.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: 'env:S',
      },
    },
  });
  space.writeRaw('secret.txt', CLIENT.secret);
});

async function rf(argv: string[], env: Record<string, string> = { S: CLIENT.secret }, pretty = false) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env: { XDG_CACHE_HOME: space.cacheDir, ...env },
    cwd: space.dir,
    pretty,
    out: (text) => {
      stdout += typeof text === 'string' ? text : Buffer.from(text).toString();
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('run (in process)', () => {
  it('token, a request with pretty JSON, --verbose, and the cache', async () => {
    expect((await rf(['token', '--verbose'])).stderr).toContain('grant client_credentials');
    const get = await rf(['get', '/items', '--verbose'], {}, true);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^\{\n {2}"method": "GET"/);
    expect(get.stderr).toContain('token from cache');
    expect((await rf(['--version'])).stdout).toMatch(/^requestforge \d/);
    expect((await rf(['--help'])).stdout).toContain('Exit codes');
  });

  it('a profile without baseUrl: absolute URLs only, credentials to that origin', async () => {
    expect((await rf(['get', '/x', '--profile', 'bare'])).stderr).toContain('has no "baseUrl"');
    const ok = await rf(['get', `${api.url}/abs`, '--profile', 'bare']);
    expect(ok.code).toBe(0);
    expect(api.requests.at(-1)!.headers.authorization).toMatch(/^Bearer /);
  });

  it('a URL outside the baseUrl origin goes without credentials, with a note', async () => {
    const other = await startServer();
    const result = await rf(['get', `${other.url}/elsewhere`]);
    await other.close();
    expect(result.stderr).toContain('sent without credentials');
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('configuration mistakes are usage errors naming what is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /expected \{ "profiles"/],
      [{ profiles: { default: 'x' } }, /profile "default" must be an object, got string/],
      [
        {
          profiles: {
            default: {
              grant: 'password',
              issuer: 'http://i.example',
              clientId: 'c',
              username: 'u',
              password: 'env:S',
            },
          },
        },
        /issuer uses plain http to i\.example/,
      ],
      [
        {
          profiles: {
            default: {
              grant: 'client_credentials',
              authMethod: 'tls_client_auth',
              tls: { cert: '-----BEGIN' },
            },
          },
        },
        /"tls\.cert" holds a literal secret/,
      ],
      [
        { profiles: { default: { grant: 'device_code' } } },
        /"grant" must be one of client_credentials, password, refresh_token, jwt_bearer, token_exchange/,
      ],
      [
        { profiles: { default: { grant: 'password', baseUrl: 'ftp://x' } } },
        /"baseUrl" must be an absolute http/,
      ],
      [
        { profiles: { default: { grant: 'password', password: 5 } } },
        /"password" must be a reference string/,
      ],
      [
        { profiles: { default: { grant: 'password', password: 'file:missing.txt' } } },
        /cannot be read \(ENOENT\)/,
      ],
      [{ profiles: { default: { grant: 'password', password: 'file:empty.txt' } } }, /which is empty/],
      [
        {
          profiles: {
            default: {
              grant: 'client_credentials',
              clientSecret: 'env:S',
              tokenUrl: 'not a url',
              clientId: 'c',
            },
          },
        },
        /tokenUrl must be an absolute http\(s\) URL/,
      ],
    ];
    space.writeRaw('empty.txt', '');
    for (const [config, message] of cases) {
      space.writeConfig(config);
      const result = await rf(['token']);
      expect(result.code, String(message)).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect((await rf(['token', '--config', 'nope.json'])).stderr).toMatch(/nope\.json not found/);
    const unreadable = join(space.dir, 'requestforge.config.json');
    if (process.getuid?.() !== 0) {
      chmodSync(unreadable, 0);
      expect((await rf(['token'])).stderr).toMatch(/cannot be read/);
    }
  });

  it('issuer discovery and the refresh_token grant work in profiles', async () => {
    const metadata = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ issuer: metadata.url, token_endpoint: oauth.tokenUrl }));
    });
    space.writeConfig({
      profiles: {
        discovered: {
          grant: 'client_credentials',
          issuer: metadata.url,
          clientId: CLIENT.id,
          clientSecret: 'env:S',
        },
      },
    });
    const discovered = await rf(['token', '--profile', 'discovered']);
    expect(discovered.code, discovered.stderr).toBe(0);
    expect(metadata.requests.map((r) => r.url)).toContain('/.well-known/oauth-authorization-server');
    await metadata.close();
    const user = new PasswordGrantTokenProvider({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      serviceName: 'u',
      ...USER,
    });
    const refreshToken = (await user.fetchToken()).refreshToken!;
    await user.close();
    space.writeConfig({
      profiles: {
        offline: {
          grant: 'refresh_token',
          tokenUrl: oauth.tokenUrl,
          clientId: CLIENT.id,
          clientSecret: 'env:S',
          refreshToken: 'env:R',
        },
      },
    });
    const offline = await rf(['token', '--profile', 'offline'], { S: CLIENT.secret, R: refreshToken });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout + offline.stderr).not.toContain(refreshToken);
  });

  it('a request header the client refuses is a usage error; a closed port a network error', async () => {
    expect((await rf(['get', '/x', '-H', 'Bad Name: v'])).code).toBe(2);
    space.writeConfig({
      profiles: {
        default: {
          grant: 'client_credentials',
          tokenUrl: `http://127.0.0.1:${await closedPort()}/token`,
          clientId: 'c',
          clientSecret: 'env:S',
          maxRetries: 0,
        },
      },
    });
    const down = await rf(['token']);
    expect(down.code).toBe(4); // the token endpoint cannot be reached: a network error
    expect(down.stderr).toMatch(/^requestforge: token endpoint unreachable: /);
  });

  it('the file cache: entries are encrypted and bound, a damaged file reads as empty, logout by profile', async () => {
    const directory = join(space.cacheDir, 'requestforge');
    const storage = new FileTokenStorage(directory, 'ns');
    const token = new TokenData({ accessToken: 'cached-Token-7', expiresAt: new Date(Date.now() + 60_000) });
    expect(storage.get('k')).toBeUndefined();
    storage.set('k', token);
    expect(storage.get('k')?.accessToken).toBe('cached-Token-7');
    expect(storage.exists('k')).toBe(true);
    expect(readFileSync(join(directory, 'tokens.json'), 'utf8')).not.toContain('cached-Token-7');
    expect(new FileTokenStorage(directory, 'other').get('k')).toBeUndefined();
    // A moved entry does not decrypt under another id.
    const entries = JSON.parse(readFileSync(join(directory, 'tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    const [id] = Object.keys(entries);
    writeFileSync(
      join(directory, 'tokens.json'),
      JSON.stringify({ [`${id!.slice(0, 16)}${'0'.repeat(16)}`]: entries[id!] }),
    );
    expect(storage.get('k')).toBeUndefined();
    writeFileSync(join(directory, 'tokens.json'), 'not json');
    expect(storage.get('k')).toBeUndefined();
    storage.set('k', token);
    storage.delete('k');
    storage.delete('k');
    expect(storage.exists('k')).toBe(false);
    chmodSync(join(directory, 'key'), 0o644);
    storage.set('k', token);
    expect(new FileTokenStorage(directory, 'ns').get('k')?.accessToken).toBe('cached-Token-7');
    expect(statSync(join(directory, 'key')).mode & 0o777).toBe(0o600);
    expect(new FileTokenStorage(directory, 'ns').clear()).toBe(1);
    expect(new FileTokenStorage(directory, 'ns').clear()).toBe(0);
  });
});
