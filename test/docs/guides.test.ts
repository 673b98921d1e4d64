// Every guide's code is a file the suite runs: the blocks in docs/guides/*.md must equal their
// files, and each migration's "before" and "after" print the same result against the same stand-ins.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const migrations = ['axios', 'got', 'ky', 'openid-client'];

/** Runs every migration example in one process; returns what each printed itself (not the stand-ins' lines). */
async function outcomes(): Promise<Record<string, string>> {
  const files = migrations.flatMap((name) => [
    `examples/guides/${name}-before.ts`,
    `examples/guides/${name}-after.ts`,
  ]);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/docs/run-guide-examples.ts', ...files],
    {
      cwd: root,
      timeout: 120_000,
    },
  );
  const printed: Record<string, string> = {};
  for (const section of stdout.split(/^### /m).slice(1)) {
    const [file, ...lines] = section.split('\n');
    printed[file!] = `${lines
      .filter((line) => !line.startsWith('  '))
      .join('\n')
      .trimEnd()}\n`;
  }
  return printed;
}

describe('guides', () => {
  it('every code block marked as an example equals its file', async () => {
    await expect(
      run(process.execPath, ['scripts/embed-guide-examples.mjs', '--check'], { cwd: root }),
    ).resolves.toBeDefined();
    const guides = readdirSync(resolve(root, 'docs/guides')).filter((name) => name.endsWith('.md'));
    const marked = guides.flatMap((name) =>
      [...readFileSync(resolve(root, 'docs/guides', name), 'utf8').matchAll(/<!-- example: (\S+) -->/g)].map(
        (m) => m[1],
      ),
    );
    for (const name of migrations) {
      expect(marked).toContain(`examples/guides/${name}-before.ts`);
      expect(marked).toContain(`examples/guides/${name}-after.ts`);
    }
    expect(marked).toContain('examples/25-opentelemetry.ts');
  });

  it('each migration: "before" and "after" print the same result against the same stand-ins', async () => {
    const printed = await outcomes();
    for (const name of migrations) {
      const after = printed[`examples/guides/${name}-after.ts`];
      expect(after, name).toBe(
        'first: 200\nafter revocation: 200\ntoken requests: {"client_credentials":2}\n',
      );
      expect(printed[`examples/guides/${name}-before.ts`], name).toBe(after);
    }
  }, 150_000);
});
