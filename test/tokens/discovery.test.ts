// Discovery (RFC 8414, OpenID Connect Discovery) against a loopback authorization server that
// counts metadata fetches: one fetch for 100 concurrent first requests and for two providers of
// one issuer, Cache-Control honoured, refetched after a failure, the exact issuer match, the
// supported methods checked, redirects never followed, the revocation endpoint discovered.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationException,
  type ClientCredentialsOptions,
  ClientCredentialsTokenProvider,
  TokenManager,
} from '../../src/index';
import { type LoopbackServer, startServer } from '../support/loopback-server';

/** How the server answers one tenant's metadata. */
interface Tenant {
  status?: number;
  issuer?: string;
  methods?: string[];
  cacheControl?: string;
  headers?: http.OutgoingHttpHeaders;
  /** Publish only at the OpenID location. */
  openidOnly?: boolean;
}

let server: LoopbackServer;
const tenants = new Map<string, Tenant>();
const fetches = new Map<string, number>();
let tenantCount = 0;

/** A new tenant (a new issuer, so the process-wide metadata cache starts empty for it). */
function tenant(behaviour: Tenant = {}): string {
  const name = `t${++tenantCount}`;
  tenants.set(name, behaviour);
  return `${server.url}/${name}`;
}

beforeAll(async () => {
  server = await startServer((request, response) => {
    const url = new URL(request.url, server.url);
    const rfc8414 = /^\/\.well-known\/oauth-authorization-server\/(t\d+)$/.exec(url.pathname);
    const openid = /^\/(t\d+)\/\.well-known\/openid-configuration$/.exec(url.pathname);
    const name = rfc8414?.[1] ?? openid?.[1];
    if (name) {
      const t = tenants.get(name)!;
      if (rfc8414 && t.openidOnly) return response.writeHead(404).end();
      fetches.set(name, (fetches.get(name) ?? 0) + 1);
      const issuer = `${server.url}/${name}`;
      response.writeHead(t.status ?? 200, {
        'content-type': 'application/json',
        ...(t.cacheControl ? { 'cache-control': t.cacheControl } : {}),
        ...t.headers,
      });
      return response.end(
        JSON.stringify({
          issuer: t.issuer ?? issuer,
          token_endpoint: `${issuer}/token`,
          revocation_endpoint: `${issuer}/revoke`,
          token_endpoint_auth_methods_supported: t.methods ?? ['client_secret_basic', 'client_secret_post'],
        }),
      );
    }
    if (url.pathname.endsWith('/token')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(
        JSON.stringify({ access_token: `at-${Math.random()}`, token_type: 'Bearer', expires_in: 300 }),
      );
    }
    if (url.pathname.endsWith('/revoke')) return response.writeHead(200).end();
    response.writeHead(404).end();
  });
});
afterAll(() => server.close());

const providers: ClientCredentialsTokenProvider[] = [];
afterAll(() => Promise.all(providers.map((p) => p.close())));

function provider(
  issuer: string,
  options: Partial<ClientCredentialsOptions> = {},
): ClientCredentialsTokenProvider {
  const created = new ClientCredentialsTokenProvider({
    issuer,
    clientId: 'svc',
    clientSecret: 'secret',
    serviceName: 'discovery',
    maxRetries: 0,
    ...options,
  });
  providers.push(created);
  return created;
}

const nameOf = (issuer: string) => issuer.slice(issuer.lastIndexOf('/') + 1);
const tokenRequests = (issuer: string) =>
  server.requests.filter((r) => r.url === `/${nameOf(issuer)}/token`).length;

describe('discovery', () => {
  it('100 concurrent first requests fetch the metadata once (RFC 8414 location, path inserted)', async () => {
    const issuer = tenant();
    const p = provider(issuer);
    expect(p.tokenUrl).toBeUndefined();
    await Promise.all(Array.from({ length: 100 }, () => p.fetchToken()));
    expect(fetches.get(nameOf(issuer))).toBe(1);
    expect(tokenRequests(issuer)).toBe(100);
    expect(
      server.requests.some((r) => r.url === `/.well-known/oauth-authorization-server/${nameOf(issuer)}`),
    ).toBe(true);
  });

  it('two providers of one issuer share one fetch; a new issuer is fetched on its own', async () => {
    const issuer = tenant({ openidOnly: true });
    await Promise.all([provider(issuer).fetchToken(), provider(issuer, { clientId: 'other' }).fetchToken()]);
    await provider(issuer, { authMethod: 'client_secret_basic' }).fetchToken();
    expect(fetches.get(nameOf(issuer))).toBe(1);
    const other = tenant();
    await provider(other).fetchToken();
    expect(fetches.get(nameOf(other))).toBe(1);
  });

  it('honours Cache-Control: max-age=0 fetches again, the default keeps it', async () => {
    const noCache = tenant({ cacheControl: 'max-age=0' });
    const p = provider(noCache);
    await p.fetchToken();
    await p.fetchToken();
    expect(fetches.get(nameOf(noCache))).toBe(2);
  });

  it('a failed fetch is not cached: the next request fetches again', async () => {
    const issuer = tenant({ status: 503 });
    const p = provider(issuer);
    const error = (await p.fetchToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.message).toContain(`Discovery of issuer ${issuer} for "discovery": fetching`);
    expect(error.retryable).toBe(true);
    tenants.get(nameOf(issuer))!.status = 200;
    await p.fetchToken();
    expect(fetches.get(nameOf(issuer))).toBe(2);
  });

  it('an issuer that differs from the configured one is refused (mix-up defence)', async () => {
    const issuer = tenant({ issuer: 'https://attacker.example' });
    const manager = new TokenManager(provider(issuer), undefined, { logger: { warn: () => undefined } });
    const error = (await manager.getToken().catch((e: unknown) => e)) as AuthenticationException;
    expect(error).toBeInstanceOf(AuthenticationException);
    expect(error.message).toContain(
      `its issuer "https://attacker.example" is not the configured issuer "${issuer}"`,
    );
    expect(error.retryable).toBe(false);
    expect(tokenRequests(issuer)).toBe(0);
  });

  it('a method the server does not list is refused, naming both', async () => {
    const issuer = tenant({ methods: ['private_key_jwt', 'tls_client_auth'] });
    const error = (await provider(issuer)
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(error.message).toBe(
      `authMethod 'client_secret_post' of "discovery" is not supported by issuer ${issuer} (token_endpoint_auth_methods_supported: private_key_jwt, tls_client_auth)`,
    );
    expect(error.retryable).toBe(false);
    expect(tokenRequests(issuer)).toBe(0);
  });

  it('a redirect is never followed', async () => {
    const issuer = tenant({ status: 302, headers: { location: 'https://elsewhere.example/metadata' } });
    const error = (await provider(issuer)
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(error.message).toMatch(/answered 302 \(a redirect\); token requests never follow redirects/);
    expect(server.requests.filter((r) => r.url.includes('elsewhere'))).toHaveLength(0);
  });

  it('no metadata anywhere: both locations named', async () => {
    const issuer = tenant({ status: 404 });
    const error = (await provider(issuer)
      .fetchToken()
      .catch((e: unknown) => e)) as AuthenticationException;
    expect(error.message).toContain('no metadata found (404 at');
    expect(error.message).toContain('.well-known/openid-configuration');
  });

  it('a configured tokenUrl is used as is; the revocation endpoint is still discovered', async () => {
    const issuer = tenant();
    const p = provider(issuer, { tokenUrl: `${issuer}/token` });
    await p.fetchToken();
    expect(fetches.get(nameOf(issuer))).toBeUndefined();
    await p.revokeToken('some-access-token', { hint: 'access_token' });
    expect(fetches.get(nameOf(issuer))).toBe(1);
    const revocation = server.requests.at(-1)!;
    expect(revocation.url).toBe(`/${nameOf(issuer)}/revoke`);
    expect(Object.fromEntries(new URLSearchParams(revocation.body))).toEqual({
      token: 'some-access-token',
      token_type_hint: 'access_token',
      client_id: 'svc',
      client_secret: 'secret',
    });
  });
});
