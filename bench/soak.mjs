// Soak: many requests on one client; memory and handles before, after warm-up, after, after close().
import { HttpClient, HttpClientConfigBuilder } from '../dist/index.js';
import { drive } from './drive.mjs';

const gc = globalThis.gc ?? (() => undefined);
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export async function soakScenario(origin, { requests, concurrency }) {
  const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').length;
  gc();
  const before = { rssMb: rssMb(), handles: handles() };
  const client = new HttpClient(
    new HttpClientConfigBuilder()
      .withBaseUrl(origin)
      .withBearerToken('soak')
      .withConnections(concurrency)
      .build(),
  );
  const request = async () => (await client.get('/items')).json();
  await drive(request, 20_000, concurrency);
  gc();
  const warm = rssMb();
  const started = performance.now();
  await drive(request, requests, concurrency);
  const seconds = (performance.now() - started) / 1000;
  gc();
  const after = rssMb();
  await client.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  return {
    requests,
    seconds,
    rssBeforeMb: before.rssMb,
    rssWarmMb: warm,
    rssAfterMb: after,
    handlesBefore: before.handles,
    handlesAfterClose: handles(),
  };
}
