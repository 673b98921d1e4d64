// DPoP (RFC 9449) end to end: oidc-provider with its DPoP feature on and nonces required, issuing
// JWT access tokens bound to the proof's key (`cnf.jkt`), and a loopback resource server that
// verifies every proof with `jose` — signature, typ, htm, htu, ath, iat window, jti replay, its
// own nonce, thumbprint = the token's cnf.jkt — and the access token's signature.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';

export const DPOP_SECRET = 'dpop-client-secret';
export const RESOURCE = 'https://api.example.test';

export interface DpopIssuer {
  readonly issuer: string;
  readonly tokenUrl: string;
  /** Token requests as they arrived: their DPoP header (or none) and grant. */
  readonly tokenRequests: Array<{ readonly dpop: string | undefined; readonly grant: string | undefined }>;
  /** Mints a refresh token for `clientId` (the grant an authorization code would have given). */
  refreshTokenFor(clientId: string): Promise<string>;
  close(): Promise<void>;
}

/** oidc-provider over loopback http: DPoP on, a nonce required in every proof. */
async function startDpopIssuer(): Promise<DpopIssuer> {
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const common = { response_types: [], redirect_uris: [], scope: 'api:read offline_access' };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: 'svc-dpop',
        client_secret: DPOP_SECRET,
        grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
        redirect_uris: ['https://client.example.test/cb'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    scopes: ['api:read', 'offline_access'],
    enabledJWA: { dPoPSigningAlgValues: ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read offline_access',
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: 300, AccessToken: 300, RefreshToken: 3600 },
  });
  const tokenRequests: DpopIssuer['tokenRequests'] = [];
  const callback = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/token') {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk));
      req.on('end', () => {
        const dpop = req.headers.dpop;
        tokenRequests.push({
          dpop: typeof dpop === 'string' ? dpop : undefined,
          grant: new URLSearchParams(raw).get('grant_type') ?? undefined,
        });
        (req as http.IncomingMessage & { body?: string }).body = raw;
        callback(req, res);
      });
      return;
    }
    callback(req, res);
  });
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    tokenRequests,
    async refreshTokenFor(clientId) {
      const client = await provider.Client.find(clientId);
      const grant = new provider.Grant({ accountId: 'user-1', clientId });
      grant.addOIDCScope('offline_access');
      grant.addResourceScope(RESOURCE, 'api:read');
      const grantId = await grant.save();
      const refresh = new provider.RefreshToken({
        accountId: 'user-1',
        client,
        grantId,
        gty: 'authorization_code',
        scope: 'offline_access',
        resource: RESOURCE,
      });
      return refresh.save();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What the resource server found about one request. */
export interface VerifiedProof {
  readonly path: string;
  readonly method: string;
  readonly jti: string;
  readonly htu: string;
  readonly nonce: string | undefined;
  /** Empty when the proof verified; else why it did not. */
  readonly problems: readonly string[];
}

export interface DpopResourceServer {
  readonly origin: string;
  readonly proofs: VerifiedProof[];
  /** Requests that came without a proof (and what their Authorization header was). */
  readonly unproven: Array<{ readonly path: string; readonly authorization: string | undefined }>;
  /** A new nonce: the next proof that does not carry it gets a 401 use_dpop_nonce. */
  rotateNonce(): void;
  close(): Promise<void>;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'ascii').digest('base64url');

/**
 * The API: `/data` answers 200; `/moved` 307s to `/data`; `/flaky` answers 503 once, then 200.
 * A proof without the current nonce gets `401 WWW-Authenticate: DPoP error="use_dpop_nonce"`.
 */
async function startDpopResourceServer(issuer: string): Promise<DpopResourceServer> {
  const jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet);
  const proofs: VerifiedProof[] = [];
  const unproven: DpopResourceServer['unproven'] = [];
  const seen = new Set<string>();
  let nonce = randomBytes(12).toString('base64url');
  let flaky = 0;
  const server = http.createServer(async (req, res) => {
    const path = req.url ?? '/';
    const origin = `http://${req.headers.host}`;
    const proof = req.headers.dpop;
    const authorization = req.headers.authorization;
    if (typeof proof !== 'string') {
      unproven.push({ path, authorization });
      res.writeHead(401, { 'www-authenticate': 'DPoP algs="ES256"' }).end();
      return;
    }
    const problems: string[] = [];
    let payload: Record<string, unknown> = {};
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: '60s' });
      payload = verified.payload;
      const header = decodeProtectedHeader(proof);
      const jkt = await calculateJwkThumbprint(header.jwk!);
      const token = authorization?.startsWith('DPoP ') ? authorization.slice(5) : undefined;
      if (!token) problems.push('no DPoP authorization');
      else {
        const access = await jwtVerify(token, jwks, { audience: RESOURCE });
        if ((access.payload.cnf as { jkt?: string } | undefined)?.jkt !== jkt) problems.push('jkt');
        if (payload.ath !== sha256(token)) problems.push('ath');
      }
      if (payload.htm !== req.method) problems.push('htm');
      if (payload.htu !== `${origin}${path.split('?')[0]}`) problems.push('htu');
      const iat = payload.iat as number;
      if (Math.abs(Date.now() / 1000 - iat) > 60) problems.push('iat');
      if (typeof payload.jti !== 'string' || seen.has(payload.jti)) problems.push('jti replay');
      seen.add(String(payload.jti));
    } catch (error) {
      problems.push(`invalid: ${(error as Error).message}`);
    }
    proofs.push({
      path,
      method: req.method ?? '',
      jti: String(payload.jti),
      htu: String(payload.htu),
      nonce: payload.nonce as string | undefined,
      problems,
    });
    if (problems.length > 0) {
      res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"' }).end();
      return;
    }
    if (payload.nonce !== nonce) {
      res.writeHead(401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce }).end();
      return;
    }
    if (path.startsWith('/moved')) {
      res.writeHead(307, { location: '/data?hop=2' }).end();
      return;
    }
    if (path.startsWith('/flaky') && flaky++ === 0) {
      res.writeHead(503, { 'retry-after': '0' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, path }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    proofs,
    unproven,
    rotateNonce() {
      nonce = randomBytes(12).toString('base64url');
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The issuer and the verifying API, started together (the API trusts the issuer's keys). */
export interface DpopServers {
  readonly issuer: DpopIssuer;
  readonly api: DpopResourceServer;
  close(): Promise<void>;
}

export async function startDpopServers(): Promise<DpopServers> {
  const issuer = await startDpopIssuer();
  const api = await startDpopResourceServer(issuer.issuer);
  return {
    issuer,
    api,
    async close() {
      await api.close();
      await issuer.close();
    },
  };
}
