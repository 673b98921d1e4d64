import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const examples = readdirSync(resolve(root, 'examples')).filter((f) => /^\d\d-.*\.ts$/.test(f));

/** What each example must print: the observable proof that its feature works. */
const expectations: Record<string, RegExp[]> = {
  '01-bearer-token.ts': [
    /GET \/protected-resource \{"authorization":"Bearer your-api-token-here"\}/,
    /^200 /m,
  ],
  '02-api-key.ts': [
    /GET \/items \{"x-api-key":"your-api-key"\}[\s\S]*GET \/items \{"x-api-key":"your-api-key"\}/,
  ],
  '03-basic-auth.ts': [/\{"authorization":"Basic dXNlcjpwYXNz"\}/],
};

describe('every guide example has a working TypeScript twin', () => {
  it('each example has expectations', () => {
    expect(examples.sort()).toEqual(Object.keys(expectations).sort());
  });

  it.concurrent.each(examples)('%s runs and shows its feature', async (file) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', resolve(root, 'examples', file)], {
      cwd: root,
      timeout: 30_000,
    });
    for (const pattern of expectations[file] ?? []) expect(stdout).toMatch(pattern);
  });
});
