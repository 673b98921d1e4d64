// Builds the `requestforge` binary with tsup from src/cli.ts (the core bundled in, so the test
// does not depend on a stale dist/) and runs it as a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'tsup';

const root = resolve(__dirname, '../..');

/** Bundles the CLI into a private folder under node_modules/.cache (so undici resolves); returns its path. */
export async function buildCli(): Promise<{ path: string; remove(): void }> {
  const outDir = join(root, 'node_modules', '.cache', `requestforge-cli-test-${process.pid}`);
  await build({
    entry: { cli: join(root, 'src/cli.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: ['requestforge'],
    tsconfig: join(root, 'tsconfig.json'),
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    clean: true,
    splitting: false,
  });
  return { path: join(outDir, 'cli.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A working directory with a config file and a private cache directory. */
export interface CliWorkspace {
  readonly dir: string;
  readonly cacheDir: string;
  writeConfig(config: unknown): void;
  writeRaw(name: string, text: string): void;
  remove(): void;
}

export function workspace(): CliWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'requestforge-cli-'));
  return {
    dir,
    cacheDir: join(dir, 'cache'),
    writeConfig: (config) =>
      writeFileSync(join(dir, 'requestforge.config.json'), JSON.stringify(config, null, 2)),
    writeRaw: (name, text) => writeFileSync(join(dir, name), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the binary in the workspace with only the environment given (plus PATH and the cache directory). */
export function runCli(
  cli: string,
  space: CliWorkspace,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd: space.dir,
        env: { PATH: process.env.PATH ?? '', HOME: space.dir, XDG_CACHE_HOME: space.cacheDir, ...env },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}
