import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
let dir: string;

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' }).trim();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'requestforge-pack-'));
  // `npm pack` runs the prepack build, so this checks the published files, not the sources.
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)!;
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'requestforge'), { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(dir, tarball),
    '-C',
    join(modules, 'requestforge'),
    '--strip-components=1',
  ]);
  // The one runtime dependency, taken from this checkout (no network in tests).
  symlinkSync(join(root, 'node_modules', 'undici'), join(modules, 'undici'), 'dir');
  // The optional peer dependency of requestforge/otel.
  mkdirSync(join(modules, '@opentelemetry'));
  symlinkSync(
    join(root, 'node_modules', '@opentelemetry', 'api'),
    join(modules, '@opentelemetry', 'api'),
    'dir',
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('imports with import (ESM)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import { HttpClient, HttpClientConfigBuilder, TokenData, TokenManager, AuthenticationException } from 'requestforge'; console.log(typeof HttpClient, typeof HttpClientConfigBuilder, typeof AuthenticationException, new TokenData({ accessToken: 'a' }).authorizationHeader, typeof TokenManager);",
    ]);
    expect(out).toBe('function function function Bearer a function');
  });

  it('imports with require (CommonJS)', () => {
    const out = node([
      '-e',
      "const rf = require('requestforge'); const c = new rf.HttpClientConfigBuilder().withBaseUrl('https://h.test').build(); console.log(typeof rf.HttpClient, c.baseUrl, new rf.TimeoutException('x') instanceof rf.HttpClientException);",
    ]);
    expect(out).toBe('function https://h.test true');
  });

  it('the sub-paths requestforge/redis and requestforge/keyv load both ways and share the core', () => {
    const script = (load: string) => `
      ${load}
      const token = new core.TokenData({ accessToken: 'a', expiresAt: new Date(Date.now() + 60000) });
      const values = new Map();
      const client = { call: async (cmd, a, b, c, d) => cmd === 'GET' ? values.get(a) ?? null : cmd === 'EVAL' ? (values.set(c, d), 1) : 1 };
      const storage = new redis.RedisTokenStorage({ client });
      await storage.set('k', token);
      const back = await storage.get('k');
      const keyvStorage = new keyv.KeyvTokenStorage({ keyv: { get: async () => JSON.stringify(token), set: async () => true, delete: async () => true } });
      console.log(back instanceof core.TokenData, (await keyvStorage.get('x')) instanceof core.TokenData);`;
    const esm = node([
      '--input-type=module',
      '-e',
      script(
        "import * as core from 'requestforge'; import * as redis from 'requestforge/redis'; import * as keyv from 'requestforge/keyv';",
      ),
    ]);
    expect(esm).toBe('true true');
    const cjs = node([
      '-e',
      `(async () => { ${script("const core = require('requestforge'); const redis = require('requestforge/redis'); const keyv = require('requestforge/keyv');")} })()`,
    ]);
    expect(cjs).toBe('true true');
  });

  it('requestforge/otel loads both ways', () => {
    const esm = node([
      '--input-type=module',
      '-e',
      "import { instrumentRequestforge } from 'requestforge/otel'; const i = instrumentRequestforge(); i.disable(); console.log(typeof i.disable);",
    ]);
    expect(esm).toBe('function');
    const cjs = node(['-e', "console.log(typeof require('requestforge/otel').instrumentRequestforge)"]);
    expect(cjs).toBe('function');
  });

  it('installs the requestforge command (package bin), which runs', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/requestforge/package.json'), 'utf8'));
    const bin = join(dir, 'node_modules/requestforge', manifest.bin.requestforge);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(execFileSync(bin, ['--version'], { cwd: dir, encoding: 'utf8' }).trim()).toMatch(
      /^requestforge \d+\.\d+\.\d+$/,
    );
  });

  it('ships type declarations for both', () => {
    const files = execFileSync('ls', [join(dir, 'node_modules/requestforge/dist')], { encoding: 'utf8' });
    expect(files).toContain('index.d.ts');
    expect(files).toContain('index.d.cts');
    for (const entry of ['redis', 'keyv', 'otel'])
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files).toContain(`${entry}.${ext}`);
  });
});
