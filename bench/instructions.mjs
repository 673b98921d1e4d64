// `npm run bench:instructions`: CPU instructions per request, counted by valgrind (callgrind) in
// the client process, for the floor and the requestforge GETs. CPU time on a shared host moves by
// several percent between identical runs; these counts repeat to within 0.6 %, so they show
// whether a change to the hot path made it cheaper where CPU time cannot. The client runs
// single-threaded (`NODE_FLAGS`), so the counts are not the natively threaded ones to the
// instruction; compare rows and runs with each other, not with CPU time.
// Each row runs twice after the same warm-up (BENCH_WARMUP requests), with BENCH_FEW and
// BENCH_MANY measured requests; the difference of the two counts, per function, divided by the
// difference in requests, is what one more request costs. The difference is 40,000 requests, so
// the one-off costs that still fall in one window and not the other (a late optimizing compile, a
// deopt where the load changes) are spread thin: over 5,000, they moved a row by up to 6 %.
// V8's code map names the JavaScript callgrind sees as bare addresses, and the build's source map
// places ours in src/: each row gets a profile of requestforge's functions, instruction-exact
// (code V8 inlined counts for the function it was inlined into, so a change of inlining moves
// instructions between functions, not in or out of the total), and the functions furthest from
// the floor. Needs valgrind; without it, says so and exits. About 4 minutes, 80 s per row
// (`node bench/instructions.mjs managed`: the floor and that row).
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  functionCosts,
  functionDifferences,
  nameCode,
  parseAnnotate,
  parsePerfMap,
  perRequest,
} from './callgrind.mjs';

const ROWS = ['undici Agent.dispatch (floor)', 'requestforge bearer', 'requestforge managed token'];
const FLOOR = ROWS[0];
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const WARMUP = env('BENCH_WARMUP', 15_000);
const FEW = env('BENCH_FEW', 2_000);
const MANY = env('BENCH_MANY', 42_000);
const CONCURRENCY = 50;
/**
 * V8 writes where it put each piece of code (`/tmp/perf-<pid>.map`): callgrind cannot name
 * JavaScript, so the map names it. The log V8 keeps with it goes to a temporary file V8 deletes
 * (`+`): the default leaves one in the working directory, and `/dev/null` sends it to stdout.
 */
const CODE_MAP_FLAGS = ['--perf-basic-prof', '--no-logfile-per-isolate', '--logfile=+'];
/**
 * V8 compiles and collects on the main thread, in the same order in every run, and hashes with
 * the same seed: with background threads (which valgrind runs one at a time anyway) and random
 * seeds, a row moved by about 1 % between runs; so, by under 0.6 %.
 */
const NODE_FLAGS = ['--single-threaded', '--hash-seed=1', '--random-seed=1', ...CODE_MAP_FLAGS];
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
      if (code !== 0) {
        reject(new Error(`valgrind exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', out], {
        maxBuffer: 1 << 28,
      }).toString();
      const pid = /\(PID (\d+)/.exec(text)?.[1];
      // V8 writes the map to /tmp whatever TMPDIR says.
      const map = `/tmp/perf-${pid}.map`;
      if (pid === undefined || !existsSync(map)) {
        resolve(parseAnnotate(text));
        return;
      }
      const ranges = parsePerfMap(readFileSync(map, 'utf8'));
      rmSync(map, { force: true });
      resolve(nameCode(parseAnnotate(text), ranges, sourceName));
    });
  });
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const sourceMaps = new Map();

/**
 * A code map name with its place in the sources: `JS:*send src/transport/undici-transport.ts:105`
 * for the build (through its source map), `undici/lib/…` for a dependency, `bench/…` for the
 * benchmark. The marker after `JS:` is V8's tier: `*` optimized, `^` baseline, `~` interpreted.
 */
function sourceName(name) {
  const match = /^(JS:\S*(?: \S+)?) (?:file:\/\/)?(\/\S+?):(\d+):(\d+)$/.exec(name);
  if (match === null) return name;
  const [, head, file, line, column] = match;
  if (file.startsWith(path.join(ROOT, 'dist'))) {
    if (!sourceMaps.has(file)) {
      const mapFile = `${file}.map`;
      sourceMaps.set(
        file,
        existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined,
      );
    }
    const entry = sourceMaps.get(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (entry?.originalSource !== undefined) {
      const source = path.relative(ROOT, fileURLToPath(new URL(entry.originalSource, `file://${file}`)));
      return `${head} ${source}:${entry.originalLine + 1}`;
    }
  }
  const modules = path.join(ROOT, 'node_modules');
  const relative = path.relative(file.startsWith(modules) ? modules : ROOT, file);
  return `${head} ${relative}:${line}`;
}

async function child(row, measured) {
  const { clients } = await import('./clients.mjs');
  const { drive } = await import('./drive.mjs');
  const server = fork(here('./server.mjs'), [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
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
  const counts = {};
  try {
    for (const row of rows) {
      console.log(
        `${row}: ${WARMUP.toLocaleString('en-US')} warm-up requests, then ${FEW} and ${MANY} under callgrind…`,
      );
      const [few, many] = await Promise.all([traced(row, FEW, directory), traced(row, MANY, directory)]);
      counts[row] = { few, many };
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const results = Object.fromEntries(
    rows.map((row) => [row, perRequest(counts[row].few, counts[row].many, MANY - FEW)]),
  );
  const shown = [
    'JavaScript',
    'V8 builtins',
    'runtime (V8, Node, libc)',
    'JSON',
    'wasm, regexp and unnamed code',
  ];
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
  for (const row of rows.filter((name) => name !== FLOOR)) {
    // requestforge's own code, instruction-exact; inlined code counts for the function it is in.
    const own = [...functionCosts(counts[row].few, counts[row].many, MANY - FEW)]
      .filter(([name]) => / src\//.test(name))
      .sort((a, b) => b[1] - a[1]);
    const sum = own.reduce((total, [, cost]) => total + cost, 0);
    console.log(`\n${row}: requestforge's functions, ${fmt(sum)} instructions per request in all:\n`);
    console.log('| function | instructions per request |\n|---|---:|');
    for (const [name, cost] of own.slice(0, TOP_FUNCTIONS)) console.log(`| \`${name}\` | ${fmt(cost)} |`);
    // Leads for the next change: what a row pays that the floor does not.
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
