// Proxies from the environment: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, proxy credentials for the
// proxy only. (Here the variables are passed in; by default process.env is read.)
import http from 'node:http';
import net from 'node:net';
import { HttpClient, HttpClientConfigBuilder } from 'requestforge';
import { exampleApi } from './support/stand-ins';

const api = await exampleApi(); // stands in for https://api.example.com
const proxy = http.createServer();
proxy.on('connect', (req, client: net.Socket) => {
  const auth = req.headers['proxy-authorization'] ? 'with Proxy-Authorization' : 'without credentials';
  console.log(`  [proxy] CONNECT ${req.url} ${auth}`);
  const [host, port] = (req.url ?? '').split(':');
  const upstream = net.connect(Number(port), host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    client.pipe(upstream).pipe(client);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://proxy-user:proxy-pass@127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;

const config = new HttpClientConfigBuilder()
  .withBaseUrl(api.url)
  .withBearerToken('your-api-token-here')
  .withProxyFromEnv({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,.internal' } })
  .build();
console.log(`config prints: ${JSON.stringify(config.toJSON().proxyFromEnv)}`);
const client = new HttpClient(config);
console.log(`through the proxy: ${(await client.get('/orders')).statusCode}`);

const direct = new HttpClient(
  new HttpClientConfigBuilder()
    .withBaseUrl(api.url.replace('127.0.0.1', 'localhost'))
    .withProxyFromEnv({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,.internal' } })
    .build(),
);
console.log(`NO_PROXY localhost: ${(await direct.get('/health')).statusCode} (no CONNECT above)`);

await Promise.all([client.close(), direct.close(), api.close()]);
proxy.closeAllConnections();
proxy.close();
