// Reading callgrind's per-function counts (bench/instructions.mjs): pure, tested without valgrind.

/**
 * Where a function's instructions go. Under valgrind the compiler threads and the garbage
 * collector run at other moments than natively (the client is slow, the server is not), so their
 * counts are shown apart and left out of the total.
 */
export function categoryOf(name) {
  if (/^\?\?\?:0x[0-9a-f]+$/.test(name)) return 'JIT and unnamed code';
  if (/compiler::|Compil|maglev|Turbofan|turboshaft/i.test(name)) return 'compiler';
  if (/Scaveng|heap::|Heap::|Marking|Sweep|Evacuat|RememberedSet|ConcurrentMark|MinorMark/.test(name))
    return 'GC';
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
  for (const name of new Set([...few.keys(), ...many.keys()])) {
    const category = categoryOf(name);
    totals[category] = (totals[category] ?? 0) + ((many.get(name) ?? 0) - (few.get(name) ?? 0)) / requests;
  }
  return totals;
}
