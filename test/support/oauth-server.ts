// A real OAuth 2 authorization server (@node-oauth/oauth2-server) behind node:http, plus a
// resource server that accepts only live tokens issued by it. Both count what they see.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth2Server from '@node-oauth/oauth2-server';

export const CLIENT = { id: 'svc-client', secret: 'svc-secret-Zq8' } as const;
/** A second registered client (another service, or another tenant of the same one). */
export const SECOND_CLIENT = { id: 'other-client', secret: 'other-secret-Wx3' } as const;
export const USER = { username: 'alice@example.com', password: 'wonderland-P4ss' } as const;

interface StoredToken {
  accessToken: string;
  accessTokenExpiresAt?: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
  client: { id: string };
  user: { id: string };
  revoked?: boolean;
}

export interface OAuthServerOptions {
  /** Access-token lifetime in seconds. @default 3600 */
  readonly accessTokenLifetime?: number;
  /** Delay of every token answer, in ms. */
  readonly tokenDelayMs?: number;
  /**
   * Issue a new refresh token on every refresh (single-use refresh tokens). Without rotation the
   * refresh answer carries no refresh token and the old one stays valid (RFC 6749 §6).
   * @default true
   */
  readonly rotateRefreshTokens?: boolean;
}

export interface OAuthTestServer {
  readonly tokenUrl: string;
  readonly apiUrl: string;
  /** Token requests by grant type, and OAuth errors by code. */
  readonly counts: { grants: Record<string, number>; errors: Record<string, number>; total: number };
  /** Requests seen by the resource server, with the token they carried and the answer. */
  readonly apiRequests: Array<{ url: string; authorization?: string; status: number }>;
  /** Makes the next `n` token requests answer with this status and body. */
  failNext(n: number, status: number, body?: unknown, headers?: http.OutgoingHttpHeaders): void;
  /** Drops failures queued with failNext. */
  clearFailures(): void;
  /** Revokes every access token issued so far. */
  revokeAll(): void;
  /** Every access token ever issued. */
  readonly issued: StoredToken[];
  /** Changes the delay of token answers. */
  setTokenDelay(ms: number): void;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthTestServer> {
  const tokens = new Map<string, StoredToken>();
  const refreshTokens = new Map<string, StoredToken>();
  const issued: StoredToken[] = [];
  const counts = { grants: {} as Record<string, number>, errors: {} as Record<string, number>, total: 0 };
  const apiRequests: OAuthTestServer['apiRequests'] = [];
  let failures: Array<{ status: number; body: unknown; headers: http.OutgoingHttpHeaders }> = [];
  let delay = options.tokenDelayMs ?? 0;

  const model = {
    getClient: async (id: string, secret: string | null) => {
      const registered = [CLIENT, SECOND_CLIENT].find((client) => client.id === id);
      return registered && (secret === null || secret === undefined || secret === registered.secret)
        ? { id, grants: ['client_credentials', 'password', 'refresh_token'] }
        : null;
    },
    getUserFromClient: async (client: { id: string }) => ({ id: `service:${client.id}` }),
    getUser: async (username: string, password: string) =>
      username === USER.username && password === USER.password ? { id: username } : null,
    saveToken: async (token: StoredToken, client: { id: string }, user: { id: string }) => {
      const record = { ...token, client, user };
      tokens.set(token.accessToken, record);
      if (token.refreshToken) refreshTokens.set(token.refreshToken, record);
      issued.push(record);
      return record;
    },
    getAccessToken: async (accessToken: string) => tokens.get(accessToken) ?? null,
    getRefreshToken: async (refreshToken: string) => refreshTokens.get(refreshToken) ?? null,
    // Deleting the used refresh token makes refresh tokens single-use (rotation).
    revokeToken: async (token: StoredToken) => refreshTokens.delete(token.refreshToken ?? ''),
    validateScope: async (_user: unknown, _client: unknown, scope?: string[]) => scope ?? ['default'],
  };
  const oauth = new OAuth2Server({
    model: model as never,
    accessTokenLifetime: options.accessTokenLifetime ?? 3600,
    refreshTokenLifetime: 24 * 3600,
    alwaysIssueNewRefreshToken: options.rotateRefreshTokens ?? true,
    requireClientAuthentication: { password: true, refresh_token: true, client_credentials: true },
  });

  const authServer = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const body = Object.fromEntries(new URLSearchParams(raw));
    counts.total++;
    const grant = String(body.grant_type ?? 'none');
    counts.grants[grant] = (counts.grants[grant] ?? 0) + 1;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, failure.headers);
      res.end(typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body ?? {}));
      return;
    }
    const request = new OAuth2Server.Request({
      method: req.method ?? 'POST',
      query: {},
      headers: req.headers as Record<string, string>,
      body,
    });
    const response = new OAuth2Server.Response(res);
    try {
      await oauth.token(request, response);
    } catch (error) {
      const e = error as { code?: number; name?: string; message?: string };
      response.status = e.code ?? 500;
      response.body = { error: e.name, error_description: e.message };
      counts.errors[String(e.name)] = (counts.errors[String(e.name)] ?? 0) + 1;
    }
    res.writeHead(response.status ?? 200, {
      'content-type': 'application/json',
      ...(response.headers as object),
    });
    res.end(JSON.stringify(response.body));
  });

  const apiServer = http.createServer(async (req, res) => {
    await readBody(req);
    const url = req.url ?? '';
    const authorization = req.headers.authorization;
    const answer = (status: number, body: unknown) => {
      apiRequests.push({ url, authorization, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.startsWith('/public') || url.startsWith('/health')) return answer(200, { public: true, url });
    const token = authorization?.startsWith('Bearer ') ? tokens.get(authorization.slice(7)) : undefined;
    if (
      !token ||
      token.revoked ||
      (token.accessTokenExpiresAt && token.accessTokenExpiresAt.getTime() <= Date.now())
    ) {
      return answer(401, { error: 'invalid_token' });
    }
    answer(200, { url, user: token.user.id });
  });

  const [authUrl, apiUrl] = await Promise.all([listen(authServer), listen(apiServer)]);
  return {
    tokenUrl: `${authUrl}/oauth/token`,
    apiUrl,
    counts,
    apiRequests,
    issued,
    failNext(n, status, body, headers = { 'content-type': 'application/json' }) {
      failures = [...failures, ...Array.from({ length: n }, () => ({ status, body, headers }))];
    },
    clearFailures() {
      failures = [];
    },
    revokeAll() {
      for (const token of tokens.values()) token.revoked = true;
    },
    setTokenDelay(ms) {
      delay = ms;
    },
    async close() {
      for (const server of [authServer, apiServer]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
