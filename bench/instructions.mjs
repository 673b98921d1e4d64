// `npm run bench:instructions`: CPU instructions per request, counted by valgrind (callgrind) in
// the client process, for the floor and the requestforge GETs. CPU time on a shared host moves by
// several percent between identical runs; these counts repeat to within 0.4 %, so they show
// whether a change to the hot path made it cheaper where CPU time cannot. The client runs
// single-threaded (`NODE_FLAGS`), so the counts are not the natively threaded ones to the
// instruction; compare rows and runs with each other, not with CPU time.
// Each row runs twice after the same warm-up (BENCH_WARMUP requests), with BENCH_FEW and
// BENCH_MANY measured requests; the difference of the two counts, per function, divided by the
// difference in requests, is what one more request costs. The difference is 40,000 requests, so
// the one-off costs that still fall in one window and not the other (a late optimizing compile, a
// deopt where the load changes) are spread thin: over 5,000, they moved a row by up to 6 %.
// Needs valgrind; without it, says so and exits. About 4 minutes, 80 s per row
// (`node bench/instructions.mjs managed`: the floor and that row).
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionDifferences, parseAnnotate, perRequest } from './callgrind.mjs';

const ROWS = ['undici Agent.dispatch (floor)', 'requestforge bearer', 'requestforge managed token'];
const FLOOR = ROWS[0];
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const WARMUP = env('BENCH_WARMUP', 15_000);
const FEW = env('BENCH_FEW', 2_000);
const MANY = env('BENCH_MANY', 42_000);
const CONCURRENCY = 50;
/**
 * V8 compiles and collects on the main thread, in the same order in every run, and hashes with
 * the same seed: with background threads (which valgrind runs one at a time anyway) and random
 * seeds, a row moved by about 1 % between runs; so, by under 0.4 %.
 */
const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];
/** How many named functions each row lists against the floor. */
const TOP_FUNCTIONS = env('BENCH_TOP_FUNCTIONS', 15);
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/** Whether both programs exist (callgrind_annotate --version exits non-zero). */
function hasValgrind() {
  return ['valgrind', 'callgrind_annotate'].every(
    (program) => spawnSync(program, ['--version'], { stdio: 'ignore' }).error === undefined,
  );
}

/** One traced child process: warm-up, then `measured` requests of `row`; the annotated profile. */
function traced(row, measured, directory) {
  const out = path.join(directory, `${ROWS.indexOf(row)}-${measured}.callgrind`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${out}`,
        process.execPath,
        ...NODE_FLAGS,
        here('./instructions.mjs'),
        '--child',
        row,
        String(measured),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`valgrind exited with ${code}: ${stderr.slice(-2000)}`));
      else
        resolve(
          parseAnnotate(
            execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', out], {
              maxBuffer: 1 << 28,
            }).toString(),
          ),
        );
    });
  });
}

async function child(row, measured) {
  const { clients } = await import('./clients.mjs');
  const { drive } = await import('./drive.mjs');
  const server = fork(here('./server.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve) => server.on('message', resolve));
  const origin = `http://127.0.0.1:${port}`;
  const client = clients[row](origin);
  await drive(client.request, WARMUP, CONCURRENCY);
  await drive(client.request, measured, CONCURRENCY);
  await client.close();
  server.kill();
}

async function main() {
  if (!hasValgrind()) {
    console.log('bench:instructions needs valgrind (callgrind and callgrind_annotate); skipped.');
    return;
  }
  // `node bench/instructions.mjs bearer` measures the floor and the rows whose name contains an argument.
  const wanted = process.argv.slice(2);
  const rows = ROWS.filter(
    (row) => row === FLOOR || wanted.length === 0 || wanted.some((w) => row.includes(w)),
  );
  const directory = mkdtempSync(path.join(os.tmpdir(), 'requestforge-instructions-'));
  const results = {};
  const counts = {};
  try {
    for (const row of rows) {
      console.log(
        `${row}: ${WARMUP.toLocaleString('en-US')} warm-up requests, then ${FEW} and ${MANY} under callgrind…`,
      );
      const [few, many] = await Promise.all([traced(row, FEW, directory), traced(row, MANY, directory)]);
      results[row] = perRequest(few, many, MANY - FEW);
      counts[row] = { few, many };
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const shown = ['JIT and unnamed code', 'V8 builtins', 'runtime (V8, Node, libc)', 'JSON'];
  const total = (row) => shown.reduce((sum, category) => sum + (results[row][category] ?? 0), 0);
  const floor = total(FLOOR);
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(
    `\nInstructions per request in the client process (callgrind; ${MANY - FEW} requests' difference):\n`,
  );
  console.log(
    `| row | total | ratio to floor | ${shown.join(' | ')} | GC (not in total) | compiler (not in total) |`,
  );
  console.log(`|---|${'---:|'.repeat(shown.length + 4)}`);
  for (const row of rows) {
    const r = results[row];
    console.log(
      `| ${row} | ${fmt(total(row))} | ${(total(row) / floor).toFixed(3)}× | ${shown.map((c) => fmt(r[c] ?? 0)).join(' | ')} | ${fmt(r.GC ?? 0)} | ${fmt(r.compiler ?? 0)} |`,
    );
  }
  // Leads for the next change: what a row pays in named code (builtins, runtime) that the floor does not.
  for (const row of rows.filter((name) => name !== FLOOR)) {
    console.log(`\n${row}: the named functions furthest from the floor, per request:\n`);
    console.log('| function | floor | row | difference |\n|---|---:|---:|---:|');
    for (const entry of functionDifferences(counts[FLOOR], counts[row], MANY - FEW, TOP_FUNCTIONS)) {
      const sign = entry.difference >= 0 ? '+' : '−';
      console.log(
        `| \`${entry.name}\` | ${fmt(entry.floor)} | ${fmt(entry.row)} | ${sign}${fmt(Math.abs(entry.difference))} |`,
      );
    }
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else await main();
