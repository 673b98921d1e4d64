// Own properties only: with Object.prototype polluted, no entry point (request options, builder
// inputs, hooks, retry and redirect options, providers, managers, pipelines, headers and params
// objects, JSON bodies) changes what is sent. The pollution lives in child processes, so it never
// leaks into the rest of the suite.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './pollution/cases';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./pollution/child.ts', import.meta.url));
const GROUPS = [...new Set(CASES.map((entry) => entry.group))];
let results: Record<string, string> = {};

beforeAll(async () => {
  // One child for every case (a process start costs more than all the cases together).
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: 120_000,
  });
  results = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>;
}, 180_000);

it('the parent process is not polluted', () => {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).headers).toBeUndefined();
});

describe.each(GROUPS)('polluted Object.prototype: %s', (group) => {
  it.each(CASES.filter((entry) => entry.group === group).map((entry) => entry.name))('%s', (name) => {
    expect(results[`${group}: ${name}`]).toBe('ok');
  });
});
