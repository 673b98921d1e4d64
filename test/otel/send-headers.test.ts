// The seam through which a diagnostics subscriber adds trace headers to a send.
import diagnosticsChannel from 'node:diagnostics_channel';
import { CHANNELS, HttpClient, HttpClientConfigBuilder, type SendStartMessage } from 'requestforge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startServer } from '../support/loopback-server';

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Sends one request while `subscriber` listens to request:start; returns what the server saw and what was thrown. */
async function sendWith(subscriber: (message: SendStartMessage) => void, sensitiveKeys: string[] = []) {
  const thrown: unknown[] = [];
  const listener = (message: unknown) => {
    try {
      subscriber(message as SendStartMessage);
    } catch (error) {
      thrown.push(error);
    }
  };
  diagnosticsChannel.subscribe(CHANNELS.requestStart, listener);
  const builder = new HttpClientConfigBuilder()
    .withBaseUrl(server.url)
    .withBearerToken('api-token-Hh2')
    .withHeader('content-type', 'text/plain');
  if (sensitiveKeys.length > 0)
    builder.withLogging({ logger: { debug() {}, info() {}, warn() {}, error() {} }, sensitiveKeys });
  const client = new HttpClient(builder.build());
  try {
    server.requests.length = 0;
    await client.post('/x', { body: 'hello' });
    return { headers: server.requests[0]!.headers, thrown };
  } finally {
    diagnosticsChannel.unsubscribe(CHANNELS.requestStart, listener);
    await client.close();
  }
}

describe('addHeader on requestforge:request:start', () => {
  it('adds a header to the send', async () => {
    const { headers, thrown } = await sendWith((message) =>
      message.addHeader('Traceparent', '00-abc-def-01'),
    );
    expect(thrown).toEqual([]);
    expect(headers.traceparent).toBe('00-abc-def-01');
    expect(headers.authorization).toBe('Bearer api-token-Hh2');
  });

  it('never lets a subscriber set a credential or framing header, or a bad name or value', async () => {
    const refused: unknown[] = [];
    const { headers, thrown } = await sendWith(
      (message) => {
        for (const [name, value] of [
          ['authorization', 'Bearer stolen'],
          ['Cookie', 'a=b'],
          ['x-api-key', 'k'],
          ['proxy-authorization', 'Basic x'],
          ['x-signature', 'custom-sensitive'],
          ['host', 'evil.test'],
          ['content-length', '1'],
          ['transfer-encoding', 'chunked'],
          ['content-type', 'application/json'],
          ['bad name', 'v'],
          ['x-ok', 'line\r\nbreak'],
          ['x-long', 'v'.repeat(10_000)],
        ] as const) {
          try {
            message.addHeader(name, value);
          } catch (error) {
            refused.push(error);
          }
        }
      },
      ['x-signature'],
    );
    expect(thrown).toEqual([]);
    expect(refused).toHaveLength(12);
    for (const error of refused) expect(error).toBeInstanceOf(TypeError);
    expect(String(refused[0])).toContain('"authorization" may not be set');
    expect(refused.map(String).join('\n')).not.toContain('stolen');
    expect(headers.authorization).toBe('Bearer api-token-Hh2');
    expect(headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(headers['content-type']).toBe('text/plain');
    expect(headers['x-signature']).toBeUndefined();
  });

  it('is closed once the send has started', async () => {
    let kept: SendStartMessage | undefined;
    await sendWith((message) => {
      kept = message;
    });
    expect(() => kept!.addHeader('x-late', '1')).toThrow(/the send has started/);
  });
});
