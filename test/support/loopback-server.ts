import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** What a loopback server saw of one request. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target exactly as it arrived on the wire. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export type RequestHandler = (
  request: RecordedRequest,
  response: http.ServerResponse,
  raw: http.IncomingMessage,
) => unknown;

export interface LoopbackServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Connections open on the server side right now. */
  readonly openSockets: number;
  /** Swap the behaviour between tests. */
  handle(handler: RequestHandler): void;
  close(): Promise<void>;
}

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

export const TLS_FIXTURES = {
  get ca(): Buffer {
    return fixture('ca.crt');
  },
  get cert(): Buffer {
    return fixture('server.crt');
  },
  get key(): Buffer {
    return fixture('server.key');
  },
};

/** Replies with a JSON echo of the request. */
export const echo: RequestHandler = (request, response) => {
  const body = JSON.stringify({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
  });
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(body);
};

/** A real `node:http` (or https) server on 127.0.0.1 and a free port, recording every request. */
export async function startServer(
  handler: RequestHandler = echo,
  options: { tls?: boolean } = {},
): Promise<LoopbackServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const listener = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    try {
      await current(recorded, res, req);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    }
  };
  const server = options.tls
    ? https.createServer({ cert: TLS_FIXTURES.cert, key: TLS_FIXTURES.key }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    port,
    requests,
    get openSockets() {
      return sockets.size;
    },
    handle(next) {
      current = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
