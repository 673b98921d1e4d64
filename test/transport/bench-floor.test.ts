import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers of the benchmark, without type declarations
import { floorClient, requestforgeHeaders } from '../../bench/floor.mjs';
import { HttpClient, HttpClientConfigBuilder, VERSION } from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

// The benchmark compares each requestforge row with the floor for the same request: if the client
// starts sending another default header, the floor must send it too, or the ratios drift.
let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('the benchmark floor', () => {
  it('sends the same headers as a requestforge GET with a bearer credential', async () => {
    const client = new HttpClient(
      new HttpClientConfigBuilder().withBaseUrl(server.url).withBearerToken('bench-token').build(),
    );
    await client.get('/items');
    await client.close();
    const floor = floorClient(server.url, {
      connections: 1,
      headers: requestforgeHeaders(VERSION, 'Bearer bench-token'),
      decode: (body: Buffer) => JSON.parse(body.toString()),
    });
    await floor.request();
    await floor.close();

    const [ours, theirs] = server.requests.slice(-2);
    expect(ours!.headers.authorization).toBe('Bearer bench-token');
    expect(theirs!.headers).toEqual(ours!.headers);
    expect(theirs!.url).toBe(ours!.url);
  });
});
