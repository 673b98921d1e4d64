// One cold start, in a fresh process: load the client, make it, send one request, parse the body.
// Prints the time since the process started (Node's own start-up included), in ms.
const [kind, origin] = process.argv.slice(2);
const headers = { authorization: 'Bearer cold-start' };
if (kind === 'undici') {
  const { Pool } = await import('undici');
  const pool = new Pool(origin);
  const { body } = await pool.request({ path: '/items', method: 'GET', headers });
  await body.json();
  process.stdout.write(`${performance.now()}\n`);
  await pool.close();
} else {
  const { HttpClient, HttpClientConfigBuilder } = await import('../dist/index.js');
  const client = new HttpClient(
    new HttpClientConfigBuilder().withBaseUrl(origin).withHeaders(headers).build(),
  );
  (await client.get('/items')).json();
  process.stdout.write(`${performance.now()}\n`);
  await client.close();
}
