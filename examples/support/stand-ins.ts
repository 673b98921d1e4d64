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

export interface AuthStandIn extends StandIn {
  /** Token requests seen, by grant type. */
  readonly grants: Record<string, number>;
  /** Revokes every access token issued so far (the API then answers 401). */
  revokeAll(): void;
}

export interface AuthStandInOptions {
  /** Accepted client credentials. */
  readonly clients?: Record<string, string>;
  /** Accepted users (password grant). */
  readonly users?: Record<string, string>;
  /** Lifetime of access tokens, in seconds. @default 3600 */
  readonly expiresIn?: number;
}

/**
 * A stand-in for https://auth.example.com/oauth/token: client credentials (body or Basic),
 * password and refresh_token grants, single-use refresh tokens.
 */
export async function exampleAuth(
  options: AuthStandInOptions = {},
): Promise<AuthStandIn & { api(): Promise<StandIn> }> {
  const clients = options.clients ?? { 'your-client-id': 'your-client-secret' };
  const users = options.users ?? { 'user@example.com': 'user-password' };
  const live = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const grants: Record<string, number> = {};
  let counter = 0;
  const issue = (withRefresh: boolean) => {
    counter++;
    const accessToken = `access-${counter}-${Math.random().toString(36).slice(2, 8)}`;
    const expiresIn = options.expiresIn ?? 3600;
    live.set(accessToken, Date.now() + expiresIn * 1000);
    const refreshToken = withRefresh
      ? `refresh-${counter}-${Math.random().toString(36).slice(2, 8)}`
      : undefined;
    if (refreshToken) refreshTokens.add(refreshToken);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  };
  const auth = await standIn('auth.example.com', (req, body) => {
    const form = Object.fromEntries(new URLSearchParams(body));
    let clientId = form.client_id;
    let clientSecret = form.client_secret;
    const basic = req.headers.authorization;
    if (basic?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(basic.slice(6), 'base64')
        .toString()
        .split(':')
        .map((part) => decodeURIComponent(part.replaceAll('+', ' ')));
      clientId = id;
      clientSecret = secret;
    }
    const grant = form.grant_type ?? 'none';
    grants[grant] = (grants[grant] ?? 0) + 1;
    const how = basic ? 'Basic header' : 'form body';
    console.log(
      `  [auth.example.com] grant_type=${grant} client=${clientId} (credentials in the ${how})${form.scope ? ` scope="${form.scope}"` : ''}`,
    );
    if (!clientId || clients[clientId] !== clientSecret)
      return {
        status: 401,
        json: { error: 'invalid_client', error_description: 'Client authentication failed' },
      };
    if (grant === 'client_credentials') return { json: issue(false) };
    if (grant === 'password') {
      if (users[form.username ?? ''] !== form.password)
        return {
          status: 400,
          json: { error: 'invalid_grant', error_description: 'Invalid user credentials' },
        };
      return { json: issue(true) };
    }
    if (grant === 'refresh_token') {
      if (!refreshTokens.delete(form.refresh_token ?? ''))
        return {
          status: 400,
          json: { error: 'invalid_grant', error_description: 'Refresh token is invalid' },
        };
      return { json: issue(true) };
    }
    return { status: 400, json: { error: 'unsupported_grant_type' } };
  });
  return {
    ...auth,
    url: `${auth.url}`,
    grants,
    revokeAll: () => live.clear(),
    api: () =>
      standIn('api.example.com', (req) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        const expiresAt = live.get(token);
        const open =
          req.url?.startsWith('/health') || req.url?.startsWith('/public') || req.url?.startsWith('/docs');
        const ok = open || (expiresAt !== undefined && expiresAt > Date.now());
        console.log(
          `  [api.example.com] ${req.method} ${req.url} ${req.headers.authorization ? 'with a token' : 'without credentials'} → ${ok ? 200 : 401}`,
        );
        return ok ? { json: { path: req.url } } : { status: 401, json: { error: 'token_expired' } };
      }),
  };
}
