// Pieces of the success path that must stay cheap without changing what is sent or kept:
// response headers as strings (no socket buffer kept), credential headers built once per token,
// JSON decoded from the body Buffer in place.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { CredentialHeader } from '../../src/auth/credential-header';
import { ownRecord, readOptions } from '../../src/checks/options';
import { HttpHeaders, headerBlock, headerLines, headerStrings } from '../../src/http/http-headers';
import { HttpRequest, HttpResponse } from '../../src/index';
import { OriginTrust } from '../../src/middleware/origin-trust';

/** undici's raw header list for a head: views into one read buffer, names and values alternating. */
function rawHeadersOf(read: Buffer, pairs: Array<[string, string]>): Buffer[] {
  const text = read.toString('latin1');
  const raw: Buffer[] = [];
  let at = 0;
  for (const [name, value] of pairs) {
    const n = text.indexOf(name, at);
    raw.push(read.subarray(n, n + name.length));
    const v = n + name.length + 2;
    raw.push(read.subarray(v, v + value.length));
    at = v + value.length;
  }
  return raw;
}

const PAIRS: Array<[string, string]> = [
  ['Content-Type', 'application/json'],
  ['Set-Cookie', 'a=1'],
  ['set-cookie', 'b=2'],
  ['X-Long', 'v'.repeat(40)],
];
const HEAD = `HTTP/1.1 200 OK\r\n${PAIRS.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n{"body":1}`;

/** A socket read: memory of its own, never Node's shared allocation pool. */
const readOf = (text: string): Buffer => {
  const read = Buffer.alloc(text.length);
  read.write(text, 'latin1');
  return read;
};

/** What a response keeps of a raw list, cut into names and values: the head's block when there is one. */
function strings(raw: Array<Buffer | string>): string[] {
  const block = headerBlock(raw);
  return block === undefined ? headerStrings(raw) : headerLines(block);
}

describe('response headers as strings', () => {
  it("keeps the head's lines as one string when the list lies in one read, cut on first access", () => {
    const raw = rawHeadersOf(readOf(HEAD), PAIRS);
    expect(headerBlock(raw)).toBe(PAIRS.map(([n, v]) => `${n}: ${v}`).join('\r\n'));
    expect(strings(raw)).toEqual(PAIRS.flat());
  });

  it('cuts empty values, values with trailing whitespace or colons, tabs after the colon, as the parser did', () => {
    const pairs: Array<[string, string]> = [
      ['x-empty', ''],
      ['x-trailing', 'v  '],
      ['x-colon', 'a:b: c'],
      ['x-last-empty', ''],
    ];
    const head =
      'HTTP/1.1 200 OK\r\nx-empty:\r\nx-trailing: \tv  \r\nx-colon:a:b: c\r\nx-last-empty:  \r\n\r\n';
    const read = readOf(head);
    // Views as undici makes them: an empty value is an empty view where the line ends.
    const at = (text: string, from = 0) => head.indexOf(text, from);
    const view = (start: number, length: number) => read.subarray(start, start + length);
    const raw = [
      view(at('x-empty'), 7),
      view(at('\r\n', at('x-empty')), 0),
      view(at('x-trailing'), 10),
      view(at('v  '), 3),
      view(at('x-colon'), 7),
      view(at('a:b: c'), 6),
      view(at('x-last-empty'), 12),
      view(at('\r\n', at('x-last-empty')), 0),
    ];
    expect(headerBlock(raw)).toBeDefined();
    expect(strings(raw)).toEqual(pairs.flat());
    expect(headerStrings(raw)).toEqual(pairs.flat());
  });

  it('decodes each buffer on its own when the head spans reads, is out of order, or has strings', () => {
    const raw: Array<Buffer | string> = rawHeadersOf(readOf(HEAD), PAIRS);
    // A value split between two reads, joined by undici; the headers after it are in the next read.
    const second = rawHeadersOf(readOf(HEAD), PAIRS);
    const spanning = [raw[0]!, raw[1]!, raw[2]!, Buffer.from('a=1', 'latin1'), ...second.slice(4)];
    expect(headerBlock(spanning)).toBeUndefined();
    expect(strings(spanning)).toEqual(PAIRS.flat());
    const reordered = [raw[2]!, raw[3]!, raw[0]!, raw[1]!];
    expect(headerBlock(reordered)).toBeUndefined();
    expect(strings(reordered)).toEqual([...PAIRS[1]!, ...PAIRS[0]!]);
    // The first and the last of one read, a header missing between them: not the layout.
    expect(headerBlock([...raw.slice(0, 2), ...raw.slice(4)])).toBeUndefined();
    const withString = ['x-a', '1', ...raw.slice(2)];
    expect(headerBlock(withString)).toBeUndefined();
    expect(strings(withString)).toEqual(['x-a', '1', ...PAIRS.slice(1).flat()]);
    expect(strings([])).toEqual([]);
  });

  it('does not take joined first and last headers in the shared pool for one read', () => {
    // The first name and the last value both split between reads: undici joins each into Node's
    // allocation pool, so they share memory while the headers between them are in another read.
    // A slab of the pool's size stands for the pool, the joined buffers far apart in it.
    const middle = rawHeadersOf(readOf(HEAD), PAIRS);
    const slab = new ArrayBuffer(Buffer.poolSize);
    const firstJoined = Buffer.from(slab, 0, 12);
    firstJoined.write('Content-Type', 'latin1');
    const lastJoined = Buffer.from(slab, 2048, 40);
    lastJoined.write('v'.repeat(40), 'latin1');
    const joined = [firstJoined, ...middle.slice(1, 7), lastJoined];
    expect(headerBlock(joined)).toBeUndefined();
    expect(strings(joined)).toEqual(PAIRS.flat());
  });

  it('keeps latin1 bytes as they are (obs-text)', () => {
    const read = Buffer.from([0x78, 0x3a, 0x20, 0xe9, 0xff]);
    expect(strings([read.subarray(0, 1), read.subarray(3, 5)])).toEqual(['x', '\u00e9\u00ff']);
    expect(headerStrings([read.subarray(0, 1), read.subarray(3, 5)])).toEqual(['x', '\u00e9\u00ff']);
  });

  it('a kept HttpHeaders does not keep the read buffer its raw headers pointed into', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let read: Buffer | undefined = Buffer.alloc(4 * 1024 * 1024);
    read.write(HEAD, 'latin1');
    const memory = new WeakRef(read.buffer);
    const headers = new HttpHeaders(rawHeadersOf(read, PAIRS));
    read = undefined;
    for (let i = 0; i < 10 && memory.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(memory.deref()).toBeUndefined();
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.getAll('set-cookie')).toEqual(['a=1', 'b=2']);
  });
});

describe('null-prototype records', () => {
  it('are fast-mode objects, not dictionaries (undici reads the request headers on every send)', () => {
    v8.setFlagsFromString('--allow-natives-syntax');
    const isFast = new Function('value', 'return %HasFastProperties(value)') as (value: object) => boolean;
    v8.setFlagsFromString('--no-allow-natives-syntax');
    expect(isFast(Object.create(null))).toBe(false); // what the check tells apart
    const headers = ownRecord({ 'user-agent': 'x', 'accept-encoding': 'gzip', authorization: 'Bearer t' });
    expect(isFast(headers)).toBe(true);
    expect(Object.getPrototypeOf(headers)).toBeNull();
    const sent = new CredentialHeader('authorization').attach(
      new HttpRequest({ method: 'GET', url: 'https://api.test/x', headers: { accept: 'application/json' } }),
      'Bearer t',
    );
    expect(isFast(sent.headers)).toBe(true);
    const options = readOptions({ method: 'GET', __proto__: null } as object, 'options', undefined);
    expect(isFast(options)).toBe(true);
  });

  it('keep "__proto__" as an own key and inherit nothing', () => {
    const record = ownRecord(JSON.parse('{"__proto__": "x", "a": "1"}') as Record<string, string>);
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(Object.keys(record)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toBe('x');
    expect((record as Record<string, unknown>).toString).toBeUndefined();
  });
});

describe('CredentialHeader', () => {
  const request = (headers?: Record<string, string>) =>
    new HttpRequest({ method: 'GET', url: 'https://api.test/x', headers });

  it('gives requests that share headers one frozen headers object per credential value', () => {
    const credential = new CredentialHeader('authorization');
    const shared = request({ accept: 'application/json' });
    const same = new HttpRequest({ method: 'GET', url: 'https://api.test/y' }).withFrozenHeaders(
      shared.headers,
    );
    const first = credential.attach(shared, 'Bearer one');
    const second = credential.attach(same, 'Bearer one');
    expect(second.headers).toBe(first.headers);
    expect(Object.isFrozen(first.headers)).toBe(true);
    expect(Object.getPrototypeOf(first.headers)).toBeNull();
    expect({ ...first.headers }).toEqual({ accept: 'application/json', authorization: 'Bearer one' });
    expect(second.url).toBe('https://api.test/y');

    const renewed = credential.attach(same, 'Bearer two');
    expect(renewed.headers).not.toBe(first.headers);
    expect(renewed.headers.authorization).toBe('Bearer two');
    expect(first.headers.authorization).toBe('Bearer one');
  });

  it('a request with headers of its own gets its own copy; the request it was given is unchanged', () => {
    const credential = new CredentialHeader('x-api-key');
    const own = request({ 'x-trace': '1' });
    const sent = credential.attach(own, 'k');
    expect({ ...sent.headers }).toEqual({ 'x-trace': '1', 'x-api-key': 'k' });
    expect(own.headers['x-api-key']).toBeUndefined();
    expect(credential.attach(request({ 'x-trace': '2' }), 'k').headers['x-trace']).toBe('2');
  });
});

describe('HttpResponse.json()', () => {
  const request = new HttpRequest({ method: 'GET', url: 'https://api.test/x' });
  const response = (body: Uint8Array) =>
    new HttpResponse({
      statusCode: 200,
      headers: new HttpHeaders(),
      body,
      elapsedMs: 1,
      url: request.url,
      request,
    });

  it("decodes the transport's Buffer in place: no Buffer.from view or copy per call", () => {
    const from = vi.spyOn(Buffer, 'from');
    try {
      expect(response(Buffer.from('{"caf\u00e9":"\u2713"}')).json()).toEqual({ café: '✓' });
      from.mockClear();
      expect(response(Buffer.from('[1,2]')).json()).toEqual([1, 2]);
      expect(from.mock.calls.length).toBe(1); // the test's own Buffer.from above, none inside json()
    } finally {
      from.mockRestore();
    }
  });

  it('a plain Uint8Array body (a subarray of a larger one) still decodes only its own bytes', () => {
    const bytes = new TextEncoder().encode('xx{"a":"\u00fc"}yy');
    expect(response(bytes.subarray(2, bytes.length - 2)).json()).toEqual({ a: 'ü' });
  });
});

describe('OriginTrust', () => {
  it('answers for each origin, also when calls alternate (it remembers the last answer)', () => {
    const trust = new OriginTrust(['https://api.test', 'https://auth.test']);
    const asked = ['https://api.test', 'https://api.test', 'https://evil.test', 'https://api.test'];
    asked.push('https://evil.test', 'https://evil.test', 'https://auth.test', 'https://API.test');
    expect(asked.map((origin) => trust.isTrusted(origin))).toEqual([
      true,
      true,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    expect(new OriginTrust([]).isTrusted('')).toBe(false);
  });
});

describe('request methods', () => {
  it('the public constructor upper-cases the method; copies and the client keep it upper case', () => {
    const request = new HttpRequest({ method: 'patch', url: 'https://api.test/x' });
    expect(request.method).toBe('PATCH');
    expect(request.withHeaders({ 'x-a': '1' }).method).toBe('PATCH');
    expect(request.withTrustedHeader('x-b', '2').method).toBe('PATCH');
  });
});
