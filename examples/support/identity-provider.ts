// A stand-in for an OAuth 2 / OpenID Connect authorization server (https://login.example.com):
// metadata (RFC 8414), client authentication by secret, signed JWT assertion (verified here with
// node:crypto), or client certificate; the client credentials, refresh token (rotating), token
// exchange and JWT bearer grants; revocation. It prints what it checks, which is the point of
// each example.
import { constants, type KeyObject, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url));

export interface Client {
  readonly secret?: string;
  /** Verifies `private_key_jwt` assertions (and JWT-bearer grant assertions issued by this client). */
  readonly publicKey?: KeyObject;
  /** `tls_client_auth`: the certificate subject expected. */
  readonly certificateSubject?: string;
}

export interface IdentityProviderOptions {
  readonly clients: Record<string, Client>;
  /** Serve https with the test CA's server certificate, asking for client certificates. */
  readonly tls?: boolean;
  /** Authentication methods listed in the metadata. */
  readonly methods?: readonly string[];
  /** The issuer the metadata names (a wrong one shows the mix-up defence). */
  readonly metadataIssuer?: string;
  /** Access token lifetime, in seconds. @default 300 */
  readonly expiresIn?: number;
}

export interface IdentityProvider {
  readonly issuer: string;
  /** A refresh token for `clientId`, as an operator would provision one. */
  provisionRefreshToken(clientId: string): string;
  readonly metadataFetches: () => number;
  /** The jti of every client assertion accepted, in order. */
  readonly assertionIds: string[];
  readonly revoked: Set<string>;
  close(): Promise<void>;
}

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const decode = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

/** Verifies a compact JWS with node:crypto: an independent check of what requestforge signed. */
export function verifyJwt(
  jwt: string,
  key: KeyObject,
): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p, s] = jwt.split('.');
  const header = decode(h!);
  const alg = String(header.alg);
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s!, 'base64url');
  const hash = alg === 'EdDSA' ? undefined : HASHES[alg.slice(2)];
  const options = alg.startsWith('ES')
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS')
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
      : key;
  if (!verify(hash, data, options, signature)) throw new Error('bad signature');
  return { header, claims: decode(p!) };
}

export async function identityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  let metadataFetches = 0;
  let issued = 0;
  const seenJti = new Set<string>();
  const assertionIds: string[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token → client
  const revoked = new Set<string>();
  const expiresIn = options.expiresIn ?? 300;
  let issuer = '';

  const answer = (res: http.ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const refuse = (res: http.ServerResponse, why: string) => {
    console.log(`  [idp] refused: ${why}`);
    answer(res, 401, { error: 'invalid_client', error_description: why });
  };

  /** Who the client is, or why not. */
  const authenticate = (req: http.IncomingMessage, form: URLSearchParams): string | Error => {
    const assertion = form.get('client_assertion');
    if (assertion) {
      const clientId = String(decode(assertion.split('.')[1]!).sub);
      const key = options.clients[clientId]?.publicKey;
      if (!key) return new Error(`unknown client ${clientId}`);
      try {
        const { header, claims } = verifyJwt(assertion, key);
        const aud = String(claims.aud);
        if (aud !== issuer && aud !== `${issuer}/token`) return new Error(`aud ${aud}`);
        if (Number(claims.exp) <= Date.now() / 1000) return new Error('the assertion has expired');
        if (seenJti.has(String(claims.jti))) return new Error('jti replayed');
        seenJti.add(String(claims.jti));
        assertionIds.push(String(claims.jti));
        console.log(
          `  [idp] private_key_jwt from ${clientId}: alg ${header.alg}, kid ${header.kid ?? '-'}, jti ${String(claims.jti).slice(0, 8)}…, signature verified`,
        );
        return clientId;
      } catch {
        return new Error(`the assertion of ${clientId} does not verify with its registered key`);
      }
    }
    const clientId = form.get('client_id') ?? '';
    const client = options.clients[clientId];
    if (!client) return new Error(`unknown client ${clientId}`);
    if (client.certificateSubject) {
      const certificate = (req.socket as TLSSocket).getPeerX509Certificate?.();
      const authorized = (req.socket as TLSSocket).authorized;
      if (!certificate || !authorized || certificate.subject !== client.certificateSubject)
        return new Error(
          `client certificate ${certificate?.subject ?? 'none'} is not ${client.certificateSubject}`,
        );
      console.log(
        `  [idp] tls_client_auth: certificate ${certificate.subject}, issued by the trusted client CA`,
      );
      return clientId;
    }
    if (client.secret !== undefined && form.get('client_secret') === client.secret) return clientId;
    return new Error(`wrong credentials for ${clientId}`);
  };

  const newRefreshToken = (clientId: string) => {
    const refresh = `rt-${++issued}-${Math.random().toString(36).slice(2, 8)}`;
    refreshTokens.set(refresh, clientId);
    return refresh;
  };
  /** An access token; a refresh token only for grants that have a user behind them (RFC 6749 §4.4.3). */
  const issue = (clientId: string, subject: string, withRefresh: boolean) => ({
    access_token: `at-${subject}-${++issued}`,
    token_type: 'Bearer',
    expires_in: expiresIn,
    ...(withRefresh ? { refresh_token: newRefreshToken(clientId) } : {}),
  });

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = req.url ?? '';
    if (url === '/.well-known/oauth-authorization-server') {
      metadataFetches++;
      return answer(res, 200, {
        issuer: options.metadataIssuer ?? issuer,
        token_endpoint: `${issuer}/token`,
        revocation_endpoint: `${issuer}/revoke`,
        token_endpoint_auth_methods_supported: options.methods ?? ['private_key_jwt', 'client_secret_post'],
      });
    }
    const form = new URLSearchParams(body);
    const client = authenticate(req, form);
    if (client instanceof Error) return refuse(res, client.message);
    if (url === '/revoke') {
      revoked.add(form.get('token') ?? '');
      refreshTokens.delete(form.get('token') ?? '');
      console.log(`  [idp] revoked: ${form.get('token_type_hint')} of ${client}`);
      return answer(res, 200);
    }
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return answer(res, 200, issue(client, client, false));
    if (grant === 'refresh_token') {
      const used = form.get('refresh_token') ?? '';
      if (refreshTokens.get(used) !== client) {
        console.log(`  [idp] refresh token ${used.slice(0, 5)}… refused (already used or revoked)`);
        return answer(res, 400, { error: 'invalid_grant' });
      }
      refreshTokens.delete(used); // single use: rotation
      console.log(`  [idp] refresh_token grant with ${used.slice(0, 5)}…: rotated`);
      return answer(res, 200, issue(client, 'user', true));
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:token-exchange') {
      const subject = form.get('subject_token') ?? '';
      console.log(
        `  [idp] token exchange by ${client} for subject ${subject.slice(0, 12)}…, audience ${form.get('audience')}`,
      );
      return answer(res, 200, {
        access_token: `obo-${subject.slice(0, 12)}-${++issued}`,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: expiresIn,
      });
    }
    answer(res, 400, { error: 'unsupported_grant_type' });
  };

  const server = options.tls
    ? https.createServer(
        {
          cert: fixture('server.crt'),
          key: fixture('server.key'),
          ca: fixture('client-ca.crt'),
          requestCert: true,
          rejectUnauthorized: false,
        },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    provisionRefreshToken: newRefreshToken,
    metadataFetches: () => metadataFetches,
    assertionIds,
    revoked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
