// A reverse proxy that normalises paths the way nginx (or Envoy with path normalisation and
// escaped-slash unescaping) does before routing: one layer of percent-decoding, back slashes as
// separators, runs of slashes merged, dot segments resolved; climbing above the root is a 400.
// It forwards the request, headers included, to the upstream with the normalised path.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface DecodingProxy {
  readonly url: string;
  /** Request targets exactly as they reached the proxy (what the client put on the wire). */
  readonly received: string[];
  close(): Promise<void>;
}

/** How a proxy routes: the defaults are nginx's. */
export interface ProxyRouting {
  /** Drop each segment's `;parameters` before decoding, as servlet containers (Tomcat, Jetty) do. */
  readonly stripPathParameters?: boolean;
  /** Forward the decoded path as it is, not re-encoded (nginx `proxy_pass` with a URI part): a second decoder behind it decodes the rest. */
  readonly forwardDecoded?: boolean;
}

/** The path the proxy routes, or `undefined` when the request climbs above the root (400). */
export function normalizeLikeNginx(target: string, routing: ProxyRouting = {}): string | undefined {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  const raw = routing.stripPathParameters ? path.replace(/;[^/]*/g, '') : path;
  const decoded = raw
    .replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replaceAll('\\', '/');
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else if (segment !== '.' && segment !== '') out.push(segment);
  }
  const trailing = /\/\.{0,2}$/.test(decoded) && out.length > 0 ? '/' : '';
  const encode = routing.forwardDecoded ? (segment: string) => segment : encodeURIComponent;
  return `/${out.map(encode).join('/')}${trailing}`;
}

export async function startDecodingProxy(
  upstream: string,
  routing: ProxyRouting = {},
): Promise<DecodingProxy> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const target = req.url ?? '/';
    received.push(target);
    const routed = normalizeLikeNginx(target, routing);
    if (routed === undefined) {
      res.writeHead(400).end('bad request');
      return;
    }
    const forward = http.request(
      `${upstream}${routed}`,
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
