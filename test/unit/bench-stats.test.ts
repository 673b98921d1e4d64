import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers of the benchmark, without type declarations
import * as callgrind from '../../bench/callgrind.mjs';
// @ts-expect-error plain ESM helpers of the benchmark, without type declarations
import { pairedRounds } from '../../bench/paired.mjs';
// @ts-expect-error plain ESM helpers of the benchmark, without type declarations
import { cpuChart, formatRatio, median, percentile, ratioSummary } from '../../bench/stats.mjs';

describe('benchmark statistics', () => {
  it('percentile and median', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('draws one bar per row, escaped, with values and ratios', () => {
    const svg = cpuChart(
      [
        { name: 'requestforge <bearer>', cpuUs: 10, cpuRatio: 0.5 },
        { name: 'undici Pool.request', cpuUs: 20, cpuRatio: 1 },
      ],
      'machine & node',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x="250"/g)).toHaveLength(2);
    expect(svg).toContain('requestforge &lt;bearer&gt;');
    expect(svg).toContain('10.0 µs (0.50×)');
    expect(svg).toContain('machine &amp; node');
  });

  it('ratio summaries: median and range over rounds, printed with the range only when there is one', () => {
    expect(ratioSummary([])).toBeUndefined();
    expect(ratioSummary([1.2, 0.9, 1])).toEqual({ median: 1, min: 0.9, max: 1.2 });
    expect(formatRatio(ratioSummary([1.2, 0.9, 1]))).toBe('1.00× (0.90–1.20)');
    expect(formatRatio(ratioSummary([1.05]))).toBe('1.05×');
    expect(formatRatio(undefined)).toBe('—');
  });

  it('paired rounds: each row next to its counterpart, alternating who goes first, ratios per round', async () => {
    const calls: string[] = [];
    const cost: Record<string, number[]> = { floor: [10, 20, 10], row: [11, 20, 12] };
    const seen: Record<string, number> = {};
    const result = await pairedRounds({
      rounds: 3,
      rows: ['row'],
      counterpartOf: () => 'floor',
      measure: async (name: string, row: string) => {
        calls.push(`${name}/${row}`);
        const i = seen[name] ?? 0;
        seen[name] = i + 1;
        return { cpu: cost[name]![i]! };
      },
    });
    expect(calls).toEqual(['floor/row', 'row/row', 'row/row', 'floor/row', 'floor/row', 'row/row']);
    expect(result.ratios.row.cpu).toEqual({ median: 1.1, min: 1, max: 1.2 });
    expect(result.medians.floor.cpu).toBe(10);
    expect(result.medians.row.cpu).toBe(12);
  });

  it('paired rounds in slices: the two sides taken in turn (ABBA), each round combined before its ratio', async () => {
    const calls: string[] = [];
    const positions: string[] = [];
    const result = await pairedRounds({
      rounds: 2,
      slices: 3,
      rows: ['row'],
      counterpartOf: () => 'floor',
      measure: async (name: string, _row: string, slices: number, round: number, slice: number) => {
        calls.push(name);
        positions.push(`${round}.${slice}`);
        return { cpuMs: name === 'floor' ? 10 : 11, requests: 100 / slices };
      },
      combine: (list: Array<{ cpuMs: number; requests: number }>) => ({
        cpu: list.reduce((sum, s) => sum + s.cpuMs, 0) / list.reduce((sum, s) => sum + s.requests, 0),
      }),
    });
    expect(calls).toEqual([
      ...['floor', 'row', 'row', 'floor', 'floor', 'row'],
      ...['row', 'floor', 'floor', 'row', 'row', 'floor'],
    ]);
    // Both sides of a slice are told its round and slice (the bench picks a client instance by them).
    expect(positions).toEqual([
      '0.0',
      '0.0',
      '0.1',
      '0.1',
      '0.2',
      '0.2',
      '1.0',
      '1.0',
      '1.1',
      '1.1',
      '1.2',
      '1.2',
    ]);
    expect(result.medians.floor.cpu).toBeCloseTo(0.3);
    expect(result.ratios.row.cpu.median).toBeCloseTo(1.1);
  });

  it('reads callgrind counts per function and costs one more request by category', () => {
    const annotate = (jit: number, parse: number, scavenge: number) =>
      [
        '--------------------------------------------------------------------------------',
        `${(jit + parse + scavenge).toLocaleString('en-US')} (100.0%)  PROGRAM TOTALS`,
        `${jit.toLocaleString('en-US')} (50.0%)  ???:0x00003e8f45a55040 [???]`,
        `${parse.toLocaleString('en-US')} (40.0%)  ???:v8::internal::JsonParser<unsigned char>::ScanJsonString(bool) [/usr/bin/node]`,
        `   ${scavenge.toLocaleString('en-US')} ( 9.9%)  ???:v8::internal::Scavenger::Process(v8::internal::JobDelegate*) [/usr/bin/node]`,
      ].join('\n');
    const few = callgrind.parseAnnotate(annotate(1_000_000, 2_000_000, 10_000));
    expect(few.get('???:0x00003e8f45a55040')).toBe(1_000_000);
    expect(few.size).toBe(3);
    const many = callgrind.parseAnnotate(annotate(1_500_000, 3_000_000, 30_000));
    expect(callgrind.perRequest(few, many, 1_000)).toEqual({
      'wasm, regexp and unnamed code': 500,
      JSON: 1_000,
      GC: 20,
    });
    expect(callgrind.categoryOf('???:Builtins_LoadIC')).toBe('V8 builtins');
    expect(callgrind.categoryOf('???:v8::internal::compiler::GraphReducer::ReduceTop()')).toBe('compiler');
    expect(callgrind.categoryOf('./malloc/./malloc/malloc.c:_int_free')).toBe('runtime (V8, Node, libc)');
    // A full collection's parts, also when they fall in a measured window.
    expect(
      callgrind.categoryOf(
        '???:void v8::internal::BodyDescriptorBase::IteratePointers<v8::internal::RecordMigratedSlotVisitor>(v8::internal::HeapObject, int, int, v8::internal::RecordMigratedSlotVisitor*)',
      ),
    ).toBe('GC');
    expect(
      callgrind.categoryOf(
        '???:v8::internal::LiveObjectRange<(v8::internal::LiveObjectIterationMode)0>::iterator::AdvanceToNextValidObject()',
      ),
    ).toBe('GC');
  });

  it('names functions without file, return type and parameters, template arguments kept', () => {
    expect(
      callgrind.shortName(
        '???:v8::Maybe<bool> v8::internal::JSObject::PreventExtensionsWithTransition<(v8::internal::PropertyAttributes)5>(v8::internal::Isolate*, bool)',
      ),
    ).toBe('v8::internal::JSObject::PreventExtensionsWithTransition<(v8::internal::PropertyAttributes)5>');
    expect(
      callgrind.shortName(
        '???:void node::Buffer::(anonymous namespace)::StringSlice<(node::encoding)4>(v8::FunctionCallbackInfo<v8::Value> const&)',
      ),
    ).toBe('node::Buffer::{anonymous}::StringSlice<(node::encoding)4>');
    expect(callgrind.shortName('./malloc/./malloc/malloc.c:_int_free')).toBe('_int_free');
    expect(callgrind.shortName('/build/deps/uv/src/unix/linux.c:uv__hrtime')).toBe('uv__hrtime');
    expect(callgrind.shortName("???:Builtins_CallFunction_ReceiverIsAny'2")).toBe(
      "Builtins_CallFunction_ReceiverIsAny'2",
    );
  });

  it("names JavaScript, builtins and bytecode handlers from V8's code map; the later entry wins a reused address", () => {
    const ranges = callgrind.parsePerfMap(
      [
        '18c4680 aa0 Builtin:RecordWriteSaveFP',
        '18d0000 40 BytecodeHandler:LdaGlobal',
        '3bdd8f5bd040 200 JS:*send file:///app/dist/index.js:4346:7',
        '3bdd8f5be000 100 JS:~old file:///app/dist/index.js:10:1',
        '3bdd8f5be000 80 JS:*new file:///app/dist/index.js:20:1',
        'not a line',
      ].join('\n'),
    );
    expect(ranges.map((range: { name: string }) => range.name)).toEqual([
      'Builtin:RecordWriteSaveFP',
      'BytecodeHandler:LdaGlobal',
      'JS:*send file:///app/dist/index.js:4346:7',
      'JS:*new file:///app/dist/index.js:20:1',
    ]);
    const counts = new Map([
      ['???:0x00000000018c4700', 10],
      ['???:0x00000000018d0010', 20],
      ['???:0x00003bdd8f5bd100', 30],
      ['???:0x00003bdd8f5bd240', 35],
      ['???:0x00003bdd8f5be010', 40],
      ['???:0x00003bdd8f5be090', 45],
      ['???:0x0000000000001000', 50],
      ['???:v8::internal::Builtin_ObjectFreeze(int, unsigned long*)', 60],
    ]);
    const named = callgrind.nameCode(counts, ranges, (name: string) => name.replace('file:///app/', ''));
    expect(Object.fromEntries(named)).toEqual({
      'Builtin:RecordWriteSaveFP': 10,
      'BytecodeHandler:LdaGlobal': 20,
      'JS:*send dist/index.js:4346:7': 30,
      '???:0x00003bdd8f5bd240': 35,
      'JS:*new dist/index.js:20:1': 40,
      '???:0x00003bdd8f5be090': 45,
      '???:0x0000000000001000': 50,
      '???:v8::internal::Builtin_ObjectFreeze(int, unsigned long*)': 60,
    });
    expect(callgrind.categoryOf('JS:*send dist/index.js:4346:7')).toBe('JavaScript');
    expect(callgrind.categoryOf('BytecodeHandler:LdaGlobal')).toBe('JavaScript');
    expect(callgrind.categoryOf('Builtin:RecordWriteSaveFP')).toBe('V8 builtins');
    expect(callgrind.categoryOf('???:0x0000000000001000')).toBe('wasm, regexp and unnamed code');
    expect(callgrind.shortName('JS:*send src/transport/undici-transport.ts:105')).toBe(
      'JS:*send src/transport/undici-transport.ts:105',
    );
  });

  it('lists the named functions furthest from the floor per request, unnamed code, compiler and GC left out', () => {
    const counts = (entries: Array<[string, number]>) => new Map(entries);
    const floor = {
      few: counts([
        ['???:Builtins_LoadIC', 1_000],
        ['???:0x00003e8f45a55040', 5_000],
      ]),
      many: counts([
        ['???:Builtins_LoadIC', 11_000],
        ['???:0x00003e8f45a55040', 50_000],
      ]),
    };
    const row = {
      few: counts([
        ['???:Builtins_LoadIC', 1_000],
        ['???:v8::internal::Intl::ConvertToUpper(v8::internal::Isolate*)', 100],
        ['???:v8::internal::Builtin_ObjectFreeze(int, unsigned long*)', 0],
        ['???:v8::internal::compiler::GraphReducer::ReduceTop()', 0],
        ['???:0x00007f0000000040', 9_000],
      ]),
      many: counts([
        ['???:Builtins_LoadIC', 12_000],
        ['???:v8::internal::Intl::ConvertToUpper(v8::internal::Isolate*)', 900],
        ['???:v8::internal::Builtin_ObjectFreeze(int, unsigned long*)', 3_000],
        ['???:v8::internal::compiler::GraphReducer::ReduceTop()', 90_000],
        ['???:0x00007f0000000040', 99_000],
      ]),
    };
    expect(callgrind.functionDifferences(floor, row, 10, 2)).toEqual([
      { name: 'v8::internal::Builtin_ObjectFreeze', floor: 0, row: 300, difference: 300 },
      { name: 'Builtins_LoadIC', floor: 1_000, row: 1_100, difference: 100 },
    ]);
    expect(
      callgrind.functionDifferences(floor, row, 10, 10).map((entry: { name: string }) => entry.name),
    ).toEqual([
      'v8::internal::Builtin_ObjectFreeze',
      'Builtins_LoadIC',
      'v8::internal::Intl::ConvertToUpper',
    ]);
  });
});
