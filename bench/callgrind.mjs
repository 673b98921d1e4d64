// Reading callgrind's per-function counts (bench/instructions.mjs): pure, tested without valgrind.

/** The collector's parts: scavenges, and a full collection's marking, sweeping and compaction. */
const GC_PARTS = new RegExp(
  [
    'Scaveng',
    'heap::',
    'Heap::',
    'Marking',
    'Sweep',
    'Evacuat',
    'RememberedSet',
    'ConcurrentMark',
    'MinorMark',
    'MarkCompact',
    'RecordMigratedSlot',
    'LiveObjectRange',
    'IteratePointers',
  ].join('|'),
);

/**
 * Where a function's instructions go. Under valgrind the compiler threads and the garbage
 * collector run at other moments than natively (the client is slow, the server is not), so their
 * counts are shown apart and left out of the total.
 */
export function categoryOf(name) {
  if (/^JS:|^BytecodeHandler:/.test(name)) return 'JavaScript';
  if (/^Builtin:/.test(name)) return 'V8 builtins';
  if (/^(?:RegExp|Stub):|^\?\?\?:0x[0-9a-f]+$/.test(name)) return 'wasm, regexp and unnamed code';
  if (/compiler::|Compil|maglev|Turbofan|turboshaft/i.test(name)) return 'compiler';
  if (GC_PARTS.test(name)) return 'GC';
  if (/Builtins_/.test(name)) return 'V8 builtins';
  if (/JsonParser|JsonStringifier/.test(name)) return 'JSON';
  return 'runtime (V8, Node, libc)';
}

/** Instructions per function from `callgrind_annotate --inclusive=no` output. */
export function parseAnnotate(text) {
  const byFunction = new Map();
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.+?)(?: \[[^\]]*\])?$/.exec(line);
    if (!match || match[2].includes('PROGRAM TOTALS')) continue;
    const count = Number(match[1].replaceAll(',', ''));
    byFunction.set(match[2], (byFunction.get(match[2]) ?? 0) + count);
  }
  return byFunction;
}

/** What one more request costs, per category: (many − few) / requests. */
export function perRequest(few, many, requests) {
  const totals = {};
  for (const [name, cost] of costsPerRequest(few, many, requests)) {
    const category = categoryOf(name);
    totals[category] = (totals[category] ?? 0) + cost;
  }
  return totals;
}

/** Each function's `[name, (many − few) / requests]`: what one more request costs in it. */
function* costsPerRequest(few, many, requests) {
  for (const name of new Set([...few.keys(), ...many.keys()])) {
    yield [name, ((many.get(name) ?? 0) - (few.get(name) ?? 0)) / requests];
  }
}

/**
 * V8's code map (`--perf-basic-prof`: `start size name` per line, hex, in the order the code was
 * made) as ranges sorted by start; where code was freed and its memory reused, the later entry wins.
 */
export function parsePerfMap(text) {
  const byStart = new Map();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.+)$/.exec(line);
    if (match) byStart.set(Number.parseInt(match[1], 16), [Number.parseInt(match[2], 16), match[3]]);
  }
  return [...byStart]
    .map(([start, [size, name]]) => ({ start, end: start + size, name }))
    .sort((a, b) => a.start - b.start);
}

/**
 * The counts with each code address callgrind could not name (`???:0x…`: JavaScript, builtins
 * copied next to it, bytecode handlers) named from the code map; `rename` shortens a name (a file
 * path to its source). Addresses outside the map (wasm) keep theirs.
 */
export function nameCode(byFunction, ranges, rename = (name) => name) {
  const named = new Map();
  for (const [name, count] of byFunction) {
    const address = /^\?\?\?:0x([0-9a-f]+)$/.exec(name);
    let label = name;
    if (address) {
      const at = Number.parseInt(address[1], 16);
      let low = 0;
      let high = ranges.length - 1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (ranges[mid].start <= at) low = mid + 1;
        else high = mid - 1;
      }
      const range = ranges[high];
      if (range !== undefined && at < range.end) label = rename(range.name);
    }
    named.set(label, (named.get(label) ?? 0) + count);
  }
  return named;
}

/** A function's name without the file, the parameter list and the return type: `v8::internal::Intl::ConvertToUpper`. */
export function shortName(name) {
  if (/^(?:JS|Builtin|BytecodeHandler|RegExp|Stub):/.test(name)) return name;
  const bare = name
    .replace(/^(?:\?\?\?|\.\/[^:]*|\/[^:]*):/, '')
    .replaceAll('(anonymous namespace)', '{anonymous}');
  // The parameter list is the first '(' outside template arguments (`F<(Attr)5>(…)`).
  let depth = 0;
  let end = bare.length;
  for (let i = 0; i < bare.length; i++) {
    const c = bare[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === '(' && depth === 0) {
      end = i;
      break;
    }
  }
  const head = bare.slice(0, end);
  // The return type, when there is one, ends at the last space outside template arguments.
  depth = 0;
  for (let i = head.length - 1; i >= 0; i--) {
    const c = head[i];
    if (c === '>') depth++;
    else if (c === '<') depth--;
    else if (c === ' ' && depth === 0) return head.slice(i + 1);
  }
  return head;
}

/**
 * What one more request costs per named function (JavaScript, builtins, the runtime): unnamed
 * code, the compiler and GC left out as in the totals.
 */
export function functionCosts(few, many, requests) {
  const costs = new Map();
  for (const [name, cost] of costsPerRequest(few, many, requests)) {
    const category = categoryOf(name);
    if (category === 'wasm, regexp and unnamed code' || category === 'compiler' || category === 'GC')
      continue;
    const key = shortName(name);
    costs.set(key, (costs.get(key) ?? 0) + cost);
  }
  return costs;
}

/**
 * The named functions whose cost per request differs most between a row and the floor, largest
 * first: where a row pays for something the floor does not (or pays less).
 */
export function functionDifferences(floor, row, requests, top) {
  const base = functionCosts(floor.few, floor.many, requests);
  const costs = functionCosts(row.few, row.many, requests);
  return [...new Set([...base.keys(), ...costs.keys()])]
    .map((name) => ({ name, floor: base.get(name) ?? 0, row: costs.get(name) ?? 0 }))
    .map((entry) => ({ ...entry, difference: entry.row - entry.floor }))
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference))
    .slice(0, top);
}
