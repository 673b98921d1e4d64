import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');

describe('npm run demo', () => {
  it('runs every showcase section against its embedded servers', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/index.ts'], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout).toContain('the other origin received Authorization: (none)');
    expect(stdout).toContain('100 × 200, token endpoint called 1 time(s)');
    expect(stdout).toContain('all 200 after 1 refresh');
    expect(stdout).toContain('/users/../public/x → sent as /v1/public/x without the token');
    expect(stdout).toContain('error=invalid_client');
    expect(stdout).toMatch(
      /GET \/users\/1 → 200; the token endpoint verified a private_key_jwt assertion: alg ES256, kid demo-key-1, aud http:\/\/127\.0\.0\.1:\d+\/oauth\/token/,
    );
    expect(stdout).toContain('GET /orders → 200 with Authorization: DPoP and a proof the API verified');
    expect(stdout).toContain('API GET /orders: proof verified (htm, htu, ath, jkt, new jti, nonce) → 200');
    expect(stdout).toContain('GET /flaky → 200 after 3 attempts');
    expect(stdout).toContain('TimeoutException (ERR_TIMEOUT)');
    expect(stdout).not.toContain('hunter2');
    expect(stdout).not.toContain('demo-client-secret');
    expect(stdout).not.toContain('not-the-secret');
  });
});
