// Embedded loopback servers for the demo: an OAuth 2 token endpoint, an API that checks
// credentials, and a stranger that records what it receives. Nothing leaves 127.0.0.1.
import { type KeyObject, verify } from 'node:crypto';
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
  /** What the last verified client assertion said (header and claims), if any. */
  lastAssertion(): { alg: string; kid?: string; jti: string; aud: string } | undefined;
}

/** A private_key_jwt assertion checked with node:crypto: an ES256 signature by `publicKey`, our client, not expired. */
function verifiedAssertion(jwt: string, clientId: string, publicKey: KeyObject) {
  const [header, payload, signature] = jwt.split('.');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
  const { alg, kid } = decode(header!);
  const claims = decode(payload!);
  const signed = Buffer.from(`${header}.${payload}`);
  const valid =
    alg === 'ES256' &&
    verify(
      'sha256',
      signed,
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature!, 'base64url'),
    ) &&
    claims.iss === clientId &&
    claims.sub === clientId &&
    claims.exp > Date.now() / 1000;
  return valid ? { alg, kid, jti: claims.jti, aud: claims.aud } : undefined;
}

/**
 * A client-credentials token endpoint that takes 100 ms per token (so races are visible). The
 * client authenticates with its secret, or with a private_key_jwt assertion signed by the key
 * whose public half is `publicKey`.
 */
export async function authServer(
  clientId: string,
  clientSecret: string,
  publicKey: KeyObject,
): Promise<AuthServer> {
  const live = new Set<string>();
  let issued = 0;
  let last: ReturnType<typeof verifiedAssertion>;
  const server = await serve((_req, res, body) => {
    const form = new URLSearchParams(body);
    const assertion = form.get('client_assertion');
    if (assertion) last = verifiedAssertion(assertion, clientId, publicKey);
    const authenticated = assertion
      ? last !== undefined
      : form.get('client_id') === clientId && form.get('client_secret') === clientSecret;
    if (!authenticated) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    issued++;
    const token = `demo-access-token-${issued}`;
    live.add(token);
    setTimeout(() => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 }), 100);
  });
  return { ...server, live, tokenRequests: () => issued, lastAssertion: () => last };
}
