// Local stand-ins for the hosts in the guide (api.example.com, auth.example.com), so every
// example runs offline. They print what they receive, which is the point of each example.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  readonly url: string;
  close(): Promise<void>;
}

export type Handler = (
  req: http.IncomingMessage,
  body: string,
) => { status?: number; json?: unknown; headers?: http.OutgoingHttpHeaders };

/** Starts a loopback server; `handler` returns what to answer. */
export async function standIn(name: string, handler: Handler): Promise<StandIn> {
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const answer = handler(req, body);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.json ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        void name;
      }),
  };
}

/** A stand-in for https://api.example.com that reports the credentials each request carried. */
export function exampleApi(): Promise<StandIn> {
  return standIn('api.example.com', (req) => {
    const credentials = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => ['authorization', 'x-api-key'].includes(name)),
    );
    console.log(`  [api.example.com] ${req.method} ${req.url} ${JSON.stringify(credentials)}`);
    return { json: { path: req.url, credentials } };
  });
}
