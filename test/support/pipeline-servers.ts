import { BodyTokenFetcher, type BodyTokenFetcherOptions } from '../../src/pipeline/index';
import { type LoopbackServer, type RecordedRequest, startServer } from './loopback-server';

/** Credentials the auth server accepts; tests assert they never appear in errors or output. */
export const APP_ID = 'app-id';
export const APP_SECRET = 'app-secret-Zq81xw';
export const USERNAME = 'user@example.com';
export const PASSWORD = 'pw-Kx72-hunter2';

export interface PipelineAuthOptions {
  /** `expires_in` of app tokens, in seconds. @default 3600 */
  readonly appExpiresIn?: number;
  /** `expires_in` of user tokens, in seconds. @default 3600 */
  readonly userExpiresIn?: number;
  /** Delay before each token answer, to make concurrent callers overlap. @default 0 */
  readonly delayMs?: number;
}

/**
 * A two-step auth server: `POST /v1/app/token` (client credentials, form) issues app tokens;
 * `POST /v1/user/token` (username/password, form or JSON) issues user tokens, and only when
 * the request carries a live app token in `X-App-Token`.
 */
export interface PipelineAuthServer {
  readonly url: string;
  readonly server: LoopbackServer;
  /** Requests per endpoint path. */
  calls(path: '/v1/app/token' | '/v1/user/token'): number;
  /** Requests to one endpoint, as received. */
  requestsTo(path: string): RecordedRequest[];
  /** User tokens the API accepts. */
  readonly liveUserTokens: Set<string>;
  readonly liveAppTokens: Set<string>;
  close(): Promise<void>;
}

function fields(request: RecordedRequest): Record<string, string> {
  if (request.headers['content-type']?.includes('json')) return JSON.parse(request.body || '{}');
  return Object.fromEntries(new URLSearchParams(request.body));
}

export async function startPipelineAuth(options: PipelineAuthOptions = {}): Promise<PipelineAuthServer> {
  const liveApp = new Set<string>();
  const liveUser = new Set<string>();
  let issued = 0;
  const server = await startServer(async (request, response) => {
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const form = fields(request);
    const path = request.url.split('?')[0];
    if (request.method === 'POST' && path === '/v1/app/token') {
      if (
        form.grant_type !== 'client_credentials' ||
        form.client_id !== APP_ID ||
        form.client_secret !== APP_SECRET
      )
        return answer(401, { error: 'invalid_client' });
      const token = `app-${++issued}`;
      liveApp.add(token);
      return answer(200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: options.appExpiresIn ?? 3600,
      });
    }
    if (request.method === 'POST' && path === '/v1/user/token') {
      const appToken = request.headers['x-app-token'];
      if (typeof appToken !== 'string' || !liveApp.has(appToken))
        return answer(401, {
          error: 'invalid_app_token',
          error_description: 'X-App-Token missing or unknown',
        });
      if (form.username !== USERNAME || form.password !== PASSWORD)
        return answer(400, { error: 'invalid_grant' });
      const token = `user-${++issued}`;
      liveUser.add(token);
      return answer(200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: options.userExpiresIn ?? 3600,
      });
    }
    return answer(404, { error: 'not_found' });
  });
  const requestsTo = (path: string) => server.requests.filter((r) => r.url.split('?')[0] === path);
  return {
    url: server.url,
    server,
    calls: (path) => requestsTo(path).length,
    requestsTo,
    liveUserTokens: liveUser,
    liveAppTokens: liveApp,
    close: () => server.close(),
  };
}

/** An API that answers 200 only to `Authorization: Bearer <live user token>`; it records what it saw. */
export interface PipelineApiServer {
  readonly url: string;
  /** The bearer token of every request, in order. */
  readonly tokensSeen: string[];
  /** Status codes answered, in order. */
  readonly statuses: number[];
  close(): Promise<void>;
}

export async function startPipelineApi(auth: PipelineAuthServer): Promise<PipelineApiServer> {
  const tokensSeen: string[] = [];
  const statuses: number[] = [];
  const server = await startServer((request, response) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    tokensSeen.push(token);
    const ok = auth.liveUserTokens.has(token);
    statuses.push(ok ? 200 : 401);
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { user: USERNAME } : { error: 'invalid_token' }));
  });
  return { url: server.url, tokensSeen, statuses, close: () => server.close() };
}

/** The guide's two steps against `auth`; `app` / `user` override options (fast, no retries). */
export function guideSteps(
  auth: PipelineAuthServer,
  overrides: { app?: Partial<BodyTokenFetcherOptions>; user?: Partial<BodyTokenFetcherOptions> } = {},
): [BodyTokenFetcher, BodyTokenFetcher] {
  const app = new BodyTokenFetcher({
    name: 'app_token',
    baseUrl: auth.url,
    endpoint: '/v1/app/token',
    requestData: { grant_type: 'client_credentials', client_id: APP_ID, client_secret: APP_SECRET },
    ttlMs: 60 * 60_000,
    maxRetries: 0,
    timeoutMs: 2_000,
    ...overrides.app,
  });
  const user = new BodyTokenFetcher({
    name: 'user_token',
    baseUrl: auth.url,
    endpoint: '/v1/user/token',
    requestHeaders: (context) => ({ 'X-App-Token': context.getTokenValue('app_token')! }),
    requestData: { username: USERNAME, password: PASSWORD },
    ttlMs: 30 * 60_000,
    dependsOn: ['app_token'],
    maxRetries: 0,
    timeoutMs: 2_000,
    ...overrides.user,
  });
  return [app, user];
}
