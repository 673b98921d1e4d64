// The command line's token cache holds a key and tokens: printing it shows neither.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { FileTokenStorage } from '../../src/cli/token-cache';
import { TokenData } from '../../src/index';

it('FileTokenStorage prints neither its key nor a token', () => {
  const directory = mkdtempSync(join(tmpdir(), 'requestforge-secrets-'));
  try {
    const storage = new FileTokenStorage(directory, 'ns');
    storage.set(
      'k',
      new TokenData({ accessToken: 'cli-Access-Token-9', refreshToken: 'cli-Refresh-Token-9' }),
    );
    const key = readFileSync(join(directory, 'key'), 'utf8');
    for (const printed of [
      inspect(storage, { showHidden: true, depth: 5 }),
      JSON.stringify(storage),
      String(storage),
    ]) {
      for (const secret of [key, 'cli-Access-Token-9', 'cli-Refresh-Token-9'])
        expect(printed).not.toContain(secret);
    }
    expect(inspect(storage)).toContain('FileTokenStorage');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
