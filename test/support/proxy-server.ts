import http from 'node:http';
import net from 'node:net';

/** What the proxy saw: CONNECT tunnels and forwarded (absolute-URI) requests. */
export interface ProxyRecord {
  readonly kind: 'connect' | 'forward';
  /** `host:port` for CONNECT, the absolute URL for a forwarded request. */
  readonly target: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface LoopbackProxy {
  readonly url: string;
  readonly port: number;
  readonly records: ProxyRecord[];
  /** Every byte the client sent through CONNECT tunnels (what a proxy could read). */
  tunnelBytes(): Buffer;
  close(): Promise<void>;
}

/**
 * A real HTTP proxy on 127.0.0.1: CONNECT tunnels and plain forwarding. With `auth`
 * (`user:pass`), requests without that `Proxy-Authorization: Basic` get a 407.
 */
export async function startProxy(options: { auth?: string } = {}): Promise<LoopbackProxy> {
  const records: ProxyRecord[] = [];
  const tunnelled: Buffer[] = [];
  const expected = options.auth ? `Basic ${Buffer.from(options.auth).toString('base64')}` : undefined;
  const authorised = (headers: http.IncomingHttpHeaders) =>
    expected === undefined || headers['proxy-authorization'] === expected;

  const server = http.createServer((req, res) => {
    records.push({ kind: 'forward', target: req.url ?? '', headers: req.headers });
    if (!authorised(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    const url = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    records.push({ kind: 'connect', target: req.url ?? '', headers: req.headers });
    if (!authorised(req.headers)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n',
      );
      return;
    }
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host!.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) {
        tunnelled.push(Buffer.from(head));
        upstream.write(head);
      }
      client.on('data', (chunk: Buffer) => tunnelled.push(Buffer.from(chunk)));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    tunnelBytes: () => Buffer.concat(tunnelled),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
