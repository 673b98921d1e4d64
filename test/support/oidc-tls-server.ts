// oidc-provider (a certified OpenID Provider) over real TLS, with every client authentication
// method registered: secrets, JWT assertions (HS256, RS/PS/ES/EdDSA), mutual TLS with a CA-issued
// and a self-signed client certificate. Two https listeners: the issuer, and an mTLS endpoint
// (client certificates requested) announced as `mtls_endpoint_aliases`. Every request is recorded
// with its form fields; `failNext` answers the next token request with an error status.
import { createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

export const SECRET_JWT = 'a-client-secret-long-enough-for-hs256-0123456789';

/** One key per algorithm, registered with the `svc-pkjwt` client (kid = the algorithm). */
export const CLIENT_KEYS = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
  ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
  EdDSA: generateKeyPairSync('ed25519').privateKey,
} as const satisfies Record<string, KeyObject>;

export interface RecordedTokenRequest {
  readonly port: number;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly form: Record<string, string>;
  /** The body as sent (repeated fields intact). */
  readonly raw: string;
}

export interface OidcTlsServer {
  /** The issuer: `https://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** The mTLS listener's origin (client certificates requested). */
  readonly mtlsOrigin: string;
  readonly requests: RecordedTokenRequest[];
  /** Answers the next `n` requests to `path` with `status` (before oidc-provider sees them). */
  failNext(path: string, n: number, status: number, headers?: http.OutgoingHttpHeaders): void;
  close(): Promise<void>;
}

export interface OidcTlsServerOptions {
  /** Called to register more grants (token exchange, JWT bearer) on the provider. */
  readonly extend?: (provider: import('oidc-provider').default) => void;
  /** Extra oidc-provider configuration (merged over the defaults). */
  readonly configuration?: Record<string, unknown>;
  /** More clients to register (with the grants `extend` adds). */
  readonly clients?: readonly Record<string, unknown>[];
}

const base = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };

function publicJwks(keys: Record<string, KeyObject>) {
  return {
    keys: Object.entries(keys).map(([kid, key]) => ({
      ...createPublicKey(key).export({ format: 'jwk' }),
      kid,
    })),
  };
}

/** The registered clients, one per authentication method. */
export function oidcClients() {
  const selfSigned = new X509Certificate(fixture('self-signed.crt'));
  return [
    {
      ...base,
      client_id: 'svc-basic',
      client_secret: 'basic-secret',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      ...base,
      client_id: 'svc-post',
      client_secret: 'post-secret',
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      ...base,
      client_id: 'svc-secret-jwt',
      client_secret: SECRET_JWT,
      token_endpoint_auth_method: 'client_secret_jwt',
    },
    {
      ...base,
      client_id: 'svc-pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: publicJwks(CLIENT_KEYS),
    },
    {
      ...base,
      client_id: 'svc-mtls',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=svc-mtls',
    },
    {
      ...base,
      client_id: 'svc-self-signed',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: {
        keys: [
          {
            ...selfSigned.publicKey.export({ format: 'jwk' }),
            x5c: [selfSigned.raw.toString('base64')],
          },
        ],
      },
    },
  ];
}

async function readForm(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** Starts oidc-provider on two TLS listeners on 127.0.0.1. */
export async function startOidcTlsServer(options: OidcTlsServerOptions = {}): Promise<OidcTlsServer> {
  const { default: Provider } = await import('oidc-provider');
  const requests: RecordedTokenRequest[] = [];
  const failures: Array<{ path: string; status: number; headers: http.OutgoingHttpHeaders }> = [];
  const sockets = new Set<Socket>();
  let callback: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;

  const listener = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const raw = await readForm(req);
    const path = (req.url ?? '').split('?')[0]!;
    const port = (req.socket as TLSSocket).localPort!;
    requests.push({
      port,
      path,
      headers: req.headers,
      form: Object.fromEntries(new URLSearchParams(raw)),
      raw,
    });
    const failure = failures.findIndex((f) => f.path === path);
    if (failure !== -1) {
      const { status, headers } = failures.splice(failure, 1)[0]!;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      return res.end(JSON.stringify({ error: 'temporarily_unavailable' }));
    }
    // oidc-provider reads an already read body from req.body.
    (req as http.IncomingMessage & { body?: string }).body = raw;
    callback!(req, res);
  };
  const tls = { cert: fixture('server.crt'), key: fixture('server.key') };
  const main = https.createServer(tls, listener);
  const mtls = https.createServer(
    { ...tls, requestCert: true, rejectUnauthorized: false, ca: fixture('client-ca.crt') },
    listener,
  );
  for (const server of [main, mtls]) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const issuer = `https://127.0.0.1:${(main.address() as AddressInfo).port}`;
  const mtlsOrigin = `https://127.0.0.1:${(mtls.address() as AddressInfo).port}`;
  const peer = (ctx: { socket: TLSSocket }) => {
    const certificate = ctx.socket.getPeerX509Certificate?.();
    return certificate && certificate.raw.length > 0 ? certificate : undefined;
  };
  const provider = new Provider(issuer, {
    clients: [...oidcClients(), ...(options.clients ?? [])],
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      'none',
    ],
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
    },
    discovery: { mtls_endpoint_aliases: { token_endpoint: `${mtlsOrigin}/token` } },
    scopes: ['api:read'],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      mTLS: {
        enabled: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peer,
        certificateAuthorized: (ctx: { socket: TLSSocket }) => ctx.socket.authorized,
        certificateSubjectMatches: (ctx: { socket: TLSSocket }, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' && peer(ctx)?.subject === expected,
      },
    },
    ttl: { ClientCredentials: 300 },
    ...options.configuration,
  });
  options.extend?.(provider);
  callback = provider.callback();
  return {
    issuer,
    mtlsOrigin,
    requests,
    failNext(path, n, status, headers = {}) {
      for (let i = 0; i < n; i++) failures.push({ path, status, headers });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([main, mtls].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
