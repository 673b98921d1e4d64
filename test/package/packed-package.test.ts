import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
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

  it('ships type declarations for both', () => {
    const files = execFileSync('ls', [join(dir, 'node_modules/requestforge/dist')], { encoding: 'utf8' });
    expect(files).toContain('index.d.ts');
    expect(files).toContain('index.d.cts');
  });
});
