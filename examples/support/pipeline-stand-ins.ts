// Local stand-ins for the guide's multi-step hosts: auth.example.com issues an app token, then a
// user token that requires it (X-App-Token); api.example.com accepts only live user tokens.
// They print what they receive, which is what the pipeline examples are about.
import { type StandIn, standIn } from './stand-ins';

export interface PipelineAuthStandIn extends StandIn {
  /** Token requests seen, by endpoint. */
  readonly requests: Record<string, number>;
  /** Revokes every user token issued so far (the API then answers 401). */
  revokeUserTokens(): void;
  /** The stand-in for https://api.example.com. */
  api(): Promise<StandIn>;
}

export async function examplePipelineAuth(
  options: { appSecret?: string; password?: string } = {},
): Promise<PipelineAuthStandIn> {
  const appSecret = options.appSecret ?? 'app-secret';
  const password = options.password ?? 'password123';
  const appTokens = new Set<string>();
  const userTokens = new Set<string>();
  const requests: Record<string, number> = {};
  let counter = 0;
  const issue = (kind: string, live: Set<string>) => {
    const token = `${kind}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    live.add(token);
    return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
  };
  const auth = await standIn('auth.example.com', (req, body) => {
    const path = req.url ?? '';
    requests[path] = (requests[path] ?? 0) + 1;
    const form = Object.fromEntries(new URLSearchParams(body));
    const log = (detail: string, status: number) =>
      console.log(`  [auth.example.com] ${req.method} ${path} ${detail} → ${status}`);
    if (path === '/v1/app/token') {
      const ok =
        form.grant_type === 'client_credentials' && form.client_id && form.client_secret === appSecret;
      log(`grant_type=${form.grant_type} client_id=${form.client_id}`, ok ? 200 : 401);
      return ok ? { json: issue('app', appTokens) } : { status: 401, json: { error: 'invalid_client' } };
    }
    if (path === '/v1/user/token') {
      const appToken = req.headers['x-app-token'];
      const validApp = typeof appToken === 'string' && appTokens.has(appToken);
      const ok = validApp && form.password === password;
      const header = appToken === undefined ? 'missing' : validApp ? 'present' : 'unknown';
      log(`X-App-Token=${header} username=${form.username}`, ok ? 200 : 401);
      return ok ? { json: issue('user', userTokens) } : { status: 401, json: { error: 'invalid_request' } };
    }
    log('', 404);
    return { status: 404, json: { error: 'not_found' } };
  });
  return {
    ...auth,
    requests,
    revokeUserTokens: () => userTokens.clear(),
    api: () =>
      standIn('api.example.com', (req) => {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        const ok = token !== undefined && userTokens.has(token);
        const which =
          token === undefined ? 'without credentials' : ok ? 'with the user token' : 'with a rejected token';
        const status = ok ? 200 : 401;
        console.log(`  [api.example.com] ${req.method} ${req.url} ${which} → ${status}`);
        return ok ? { json: { user: 'user@example.com' } } : { status, json: { error: 'invalid_token' } };
      }),
  };
}
