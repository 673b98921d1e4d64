import { type ChildProcess, execFile, execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FormData as UndiciFormData } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionException,
  ExponentialBackoffRetryStrategy,
  HttpClient,
  HttpClientConfigBuilder,
  RequestBuildException,
  TokenData,
  TokenManager,
  toCurl,
} from '../../src/index';
import { captureLogger } from '../support/helpers';
import { startUploadServer, type Upload } from '../support/upload-server';

let server: Awaited<ReturnType<typeof startUploadServer>>;
const clients: HttpClient[] = [];
const client = (configure = (b: HttpClientConfigBuilder) => b) => {
  const created = new HttpClient(configure(new HttpClientConfigBuilder().withBaseUrl(server.url)).build());
  clients.push(created);
  return created;
};
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  server = await startUploadServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.uploads.length = 0;
  server.answer(() => 200);
});
afterAll(() => server.close());

describe('form: FormData', () => {
  it.each([
    ['the global FormData', () => new FormData()],
    ["undici's FormData", () => new UndiciFormData() as unknown as FormData],
  ])('sends %s as multipart with strings, Blobs and Files, with Content-Length', async (_, make) => {
    const form = make();
    form.append('title', 'Q3 report');
    form.append('notes', 'line one\nline two');
    form.append('odd "name"', 'quoted');
    form.append('blob', new Blob(['blob contents'], { type: 'text/plain' }));
    form.append(
      'file',
      new File([Buffer.from([0, 1, 2, 255])], 'data.bin', { type: 'application/octet-stream' }),
    );
    form.append('empty', new File([], 'empty.txt'));
    const response = await client().post('/upload', { form });
    expect(response.statusCode).toBe(200);
    const [upload] = server.uploads;
    expect(upload!.fields).toEqual([
      ['title', 'Q3 report'],
      ['notes', 'line one\r\nline two'],
      ['odd %22name%22', 'quoted'],
    ]);
    expect(upload!.files).toEqual([
      { name: 'blob', filename: 'blob', mimeType: 'text/plain', bytes: 13, sha256: sha256('blob contents') },
      {
        name: 'file',
        filename: 'data.bin',
        mimeType: 'application/octet-stream',
        bytes: 4,
        sha256: sha256(Buffer.from([0, 1, 2, 255])),
      },
      {
        name: 'empty',
        filename: 'empty.txt',
        mimeType: 'application/octet-stream',
        bytes: 0,
        sha256: sha256(''),
      },
    ]);
    expect(upload!.headers['content-type']).toMatch(
      /^multipart\/form-data; boundary=----requestforge-[0-9a-f]{32}$/,
    );
    expect(upload!.headers['content-length']).toMatch(/^\d+$/);
    expect(upload!.headers['transfer-encoding']).toBeUndefined();
  });

  it('is replayable: a retried form is sent whole again', async () => {
    server.answer(() => (server.uploads.length < 2 ? 503 : 200));
    const form = new FormData();
    form.append('a', '1');
    form.append('file', new File(['x'.repeat(10_000)], 'x.txt'));
    const c = client((b) =>
      b.withRetryStrategy(
        new ExponentialBackoffRetryStrategy({ maxRetries: 2, baseDelayMs: 1, retryMethods: ['POST'] }),
      ),
    );
    expect((await c.post('/retry', { form })).statusCode).toBe(200);
    expect(server.uploads).toHaveLength(2);
    for (const upload of server.uploads) expect(upload.files[0]!.bytes).toBe(10_000);
  });

  it('refuses a non-FormData form, a second body option and the files typo before sending', async () => {
    const c = client();
    const bad = [
      { form: { a: '1' } },
      { form: new FormData(), json: {} },
      { files: { a: new Blob(['x']) } },
    ] as unknown as Parameters<HttpClient['post']>[1][];
    for (const options of bad) {
      await expect(c.post('/x', options)).rejects.toBeInstanceOf(RequestBuildException);
    }
    await expect(c.post('/x', bad[2])).rejects.toThrow(/unknown option "files"/);
    expect(server.uploads).toEqual([]);
  });
});

const SECRET = 'form-SECRET-value-1';
const TOKEN = 'bearer-SECRET-token-2';
const curlInstalled = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!curlInstalled) console.warn('[uploads] curl is not installed: the toCurl round trip is skipped');

/** A form with a plain field, a credential field, a plain field with `note` in it, and a file. */
function reportForm(note = 'none'): FormData {
  const form = new FormData();
  form.append('title', 'Q3 report');
  form.append('password', SECRET);
  form.append('note', note);
  form.append('file', new File(['file contents'], 'q3 report.csv', { type: 'text/csv' }));
  return form;
}

describe('form: what logs, toCurl and JSON show of it', () => {
  it("each entry by name, credential fields and the request's secrets redacted, files by name, type and size", async () => {
    const log = captureLogger();
    const c = client((b) => b.withBearerToken(TOKEN).withLogging({ logger: log.logger, logBody: true }));
    await c.post('/upload', { form: reportForm() });
    const output = log.text();
    expect(output).toContain(
      '<multipart/form-data: title=Q3 report, password=[REDACTED], note=none, file=<file "q3 report.csv", text/csv, 13 bytes>>',
    );
    // The request as sent carries the bearer token: toCurl scrubs it from the plain field too.
    const response = await c.post('/upload', { form: reportForm(`sent with Bearer ${TOKEN}`) });
    const curl = toCurl(response.request);
    expect(curl).toContain(
      `--form-string 'title=Q3 report' --form-string 'password=[REDACTED]' --form-string 'note=sent with [REDACTED]' -F 'file=@"q3 report.csv";type=text/csv'`,
    );
    // curl makes its own boundary: ours would describe another body.
    expect(curl).not.toMatch(/content-type|content-length|--data-raw/);
    const json = JSON.stringify(response.request);
    expect(json).toMatch(/"body":"<multipart\/form-data: 4 entries, \d+ bytes>"/);
    for (const text of [output, curl, json]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });

  it.skipIf(!curlInstalled)('toCurl({ redact: false }) run by curl sends the same form', async () => {
    const response = await client().post('/upload', { form: reportForm() });
    const dir = mkdtempSync(join(tmpdir(), 'rf-curl-'));
    try {
      writeFileSync(join(dir, 'q3 report.csv'), 'file contents');
      await promisify(execFile)('sh', ['-c', `${toCurl(response.request, { redact: false })} --silent`], {
        cwd: dir,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const [ours, curls] = server.uploads;
    expect(curls!.fields).toEqual(ours!.fields);
    expect(curls!.fields).toContainEqual(['password', SECRET]);
    expect(curls!.files).toEqual(ours!.files);
  });
});

function generated(totalBytes: number, chunkBytes = 64 * 1024): Readable {
  const chunk = Buffer.alloc(chunkBytes, 7);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkBytes, totalBytes - sent);
      sent += size;
      this.push(size === chunkBytes ? chunk : chunk.subarray(0, size));
    },
  });
}

describe('stream bodies', () => {
  it('sends a Node Readable and a web ReadableStream without knowing the length', async () => {
    const c = client();
    await c.post('/readable', { body: generated(300_000) });
    await c.put('/web', {
      body: ReadableStream.from([new TextEncoder().encode('web '), new TextEncoder().encode('stream')]),
    });
    expect(server.uploads[0]!.raw!.bytes).toBe(300_000);
    expect(server.uploads[0]!.headers['transfer-encoding']).toBe('chunked');
    expect(server.uploads[1]!.raw).toEqual({ bytes: 10, sha256: sha256('web stream') });
  });

  it('uses the Content-Length the caller gives', async () => {
    await client().post('/sized', { body: generated(1000), headers: { 'content-length': '1000' } });
    expect(server.uploads[0]!.headers['content-length']).toBe('1000');
    expect(server.uploads[0]!.headers['transfer-encoding']).toBeUndefined();
  });

  it('is never retried: the 503 comes back after one send', async () => {
    server.answer(() => 503);
    const c = client((b) =>
      b.withRetryStrategy(
        new ExponentialBackoffRetryStrategy({ maxRetries: 3, baseDelayMs: 1, retryMethods: ['POST'] }),
      ),
    );
    const response = await c.post('/flaky', { body: generated(10_000) });
    expect(response.statusCode).toBe(503);
    expect(server.uploads).toHaveLength(1);
  });

  it('is never replayed after a 401: the 401 comes back, the token is not renewed for it', async () => {
    server.answer(() => 401);
    let fetches = 0;
    const manager = new TokenManager({
      serviceName: 'uploads',
      fetchToken: async () => new TokenData({ accessToken: `t${++fetches}` }),
      refreshToken: async () => new TokenData({ accessToken: `t${++fetches}` }),
    });
    const response = await client((b) => b.withTokenAuth(manager)).post('/protected', {
      body: generated(5000),
    });
    expect(response.statusCode).toBe(401);
    expect(server.uploads).toHaveLength(1);
    expect(fetches).toBe(1);
  });

  it('a connection error is thrown after one send, never retried', async () => {
    const dead = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    const c = new HttpClient(
      new HttpClientConfigBuilder()
        .withBaseUrl(url)
        .withRetryStrategy(
          new ExponentialBackoffRetryStrategy({ maxRetries: 3, baseDelayMs: 1, retryMethods: ['POST'] }),
        )
        .build(),
    );
    try {
      const error = await c.post('/x', { body: generated(100_000) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionException);
      expect((error as ConnectionException).attempts).toBe(1);
    } finally {
      await c.close();
      await new Promise((resolve) => dead.close(resolve));
    }
  });
});

describe('200 MB uploads (the server in another process: only the client is measured)', () => {
  const TOTAL = 200 * 1024 * 1024;
  let child: ChildProcess;
  let childUrl: string;
  const childClient = () => {
    const created = new HttpClient(new HttpClientConfigBuilder().withBaseUrl(childUrl).build());
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    child = fork(fileURLToPath(new URL('../support/upload-server-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
    });
    childUrl = await new Promise<string>((resolve) =>
      child.once('message', (m) => resolve((m as { url: string }).url)),
    );
  });
  afterAll(() => {
    child.disconnect();
  });

  // What the client holds, not garbage it has not collected yet: a full collection every 50 ms
  // (each 64 KiB chunk read from a Blob is a fresh allocation that V8 frees lazily).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  /** Peak growth in MB of RSS and of what JavaScript holds (heap and buffers) while `action` runs. */
  async function growthDuring(action: () => Promise<unknown>): Promise<{ rss: number; held: number }> {
    gc();
    const held = () => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.external;
    };
    const before = { rss: process.memoryUsage().rss, held: held() };
    const peak = { ...before };
    const sample = () => {
      peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
      peak.held = Math.max(peak.held, held());
    };
    const sampler = setInterval(sample, 10);
    const collector = setInterval(gc, 50);
    try {
      await action();
    } finally {
      clearInterval(sampler);
      clearInterval(collector);
      sample();
    }
    return { rss: (peak.rss - before.rss) / 2 ** 20, held: (peak.held - before.held) / 2 ** 20 };
  }

  it('a 200 MB stream body is sent with under 50 MB of RSS growth', async () => {
    let upload: Upload | undefined;
    const growth = await growthDuring(async () => {
      upload = (await childClient().post('/big', { body: generated(TOTAL) })).json<Upload>();
    });
    expect(upload!.raw!.bytes).toBe(TOTAL);
    expect(growth.rss).toBeLessThan(50);
  }, 60_000);

  it('a 200 MB file in a form is streamed part by part, never held in memory', async () => {
    // A 200 MB Blob made of one 1 MiB Blob repeated: Node shares the parts, nothing is copied.
    const mebibyte = new Blob([Buffer.alloc(1024 * 1024, 3)]);
    const big = new Blob(
      Array.from({ length: 200 }, () => mebibyte),
      { type: 'application/octet-stream' },
    );
    const form = new FormData();
    form.append('description', 'generated');
    form.append('file', big, 'big.bin');
    let upload: Upload | undefined;
    const growth = await growthDuring(async () => {
      upload = (await childClient().post('/big-form', { form })).json<Upload>();
    });
    expect(upload!.fields).toEqual([['description', 'generated']]);
    expect(upload!.files[0]).toMatchObject({ name: 'file', filename: 'big.bin', bytes: TOTAL });
    expect(Number(upload!.headers['content-length'])).toBeGreaterThan(TOTAL);
    // Node reads Blob slices on its thread pool, whose malloc arenas keep freed pages for a while
    // (30-60 MB of RSS even with no network at all); what the client holds stays small.
    expect(growth.held).toBeLessThan(50);
    expect(growth.rss).toBeLessThan(100);
  }, 60_000);
});
