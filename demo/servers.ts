// Embedded loopback servers for the demo: an OAuth 2 token endpoint, an API that checks
// credentials, and a stranger that records what it receives. Nothing leaves 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoServer {
  readonly url: string;
  readonly received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<DemoServer> {
  const received: DemoServer['received'] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export interface AuthServer extends DemoServer {
  /** Access tokens the API accepts. */
  readonly live: Set<string>;
  /** Token requests served. */
  tokenRequests(): number;
}

/** A client-credentials token endpoint that takes 100 ms per token (so races are visible). */
export async function authServer(clientId: string, clientSecret: string): Promise<AuthServer> {
  const live = new Set<string>();
  let issued = 0;
  const server = await serve((_req, res, body) => {
    const form = new URLSearchParams(body);
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    issued++;
    const token = `demo-access-token-${issued}`;
    live.add(token);
    setTimeout(() => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 }), 100);
  });
  return { ...server, live, tokenRequests: () => issued };
}
