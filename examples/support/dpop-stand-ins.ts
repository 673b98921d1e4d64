// Stand-ins for a DPoP deployment (RFC 9449): an authorization server (https://login.example.com)
// and an API (https://api.example.com), each requiring a nonce of its own. Both verify every
// proof with node:crypto — signature by the embedded public key, typ, htm, htu, iat, a jti never
// seen before, the nonce, and at the API `ath` and the key thumbprint the token is bound to —
// and say what they checked.
import { createHash, createPublicKey, type JsonWebKey, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DpopStandIns {
  /** The authorization server's token endpoint. */
  readonly tokenUrl: string;
  /** The API's base URL. */
  readonly apiUrl: string;
  /** One line per request: what was checked and answered. */
  readonly log: string[];
  close(): Promise<void>;
}

const decode = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** RFC 7638 thumbprint of an EC P-256 or Ed25519 public JWK. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical =
    jwk.kty === 'EC'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return sha256(canonical);
}

/** A verified proof's claims and key thumbprint, or why it is not one. */
function checkProof(
  proof: string | undefined,
  method: string,
  htu: string,
  seen: Set<string>,
): { claims: Record<string, unknown>; jkt: string } | string {
  if (!proof) return 'no DPoP proof';
  const [h, p, s] = proof.split('.');
  const header = decode(h!);
  const claims = decode(p!);
  if (header.typ !== 'dpop+jwt') return 'typ is not dpop+jwt';
  const jwk = header.jwk as JsonWebKey;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s!, 'base64url');
  const valid =
    header.alg === 'ES256'
      ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : header.alg === 'EdDSA' && verify(undefined, data, key, signature);
  if (!valid) return 'bad signature';
  if (claims.htm !== method || claims.htu !== htu) return 'htm/htu do not match the request';
  if (Math.abs(Date.now() / 1000 - Number(claims.iat)) > 60) return 'iat is not recent';
  if (seen.has(String(claims.jti))) return 'jti replayed';
  seen.add(String(claims.jti));
  return { claims, jkt: thumbprint(jwk) };
}

async function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export async function dpopStandIns(): Promise<DpopStandIns> {
  const log: string[] = [];
  const bound = new Map<string, string>(); // access token → the jkt it is bound to
  const seen = new Set<string>();
  const asNonce = randomBytes(8).toString('hex');
  const apiNonce = randomBytes(8).toString('hex');
  let issued = 0;
  const send = (
    res: http.ServerResponse,
    status: number,
    headers: http.OutgoingHttpHeaders,
    body?: unknown,
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const as = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      const checked = checkProof(req.headers.dpop as string | undefined, 'POST', `${as.url}/token`, seen);
      if (typeof checked === 'string')
        return send(res, 400, {}, { error: 'invalid_dpop_proof', error_description: checked });
      const short = `jkt ${checked.jkt.slice(0, 8)}…`;
      if (checked.claims.nonce !== asNonce) {
        log.push(`token endpoint: proof verified (${short}), no nonce → 400 use_dpop_nonce`);
        return send(res, 400, { 'dpop-nonce': asNonce }, { error: 'use_dpop_nonce' });
      }
      const token = `dpop-token-${++issued}`;
      bound.set(token, checked.jkt);
      log.push(`token endpoint: proof verified (${short}), nonce ok → token_type DPoP, bound to that key`);
      send(res, 200, {}, { access_token: token, token_type: 'DPoP', expires_in: 300 });
    });
  });

  const api = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const authorization = req.headers.authorization ?? '';
      const token = authorization.startsWith('DPoP ') ? authorization.slice(5) : '';
      const checked = checkProof(
        req.headers.dpop as string | undefined,
        req.method!,
        `${api.url}${path}`,
        seen,
      );
      if (typeof checked === 'string' || !bound.has(token)) {
        const why = typeof checked === 'string' ? checked : 'not a DPoP token';
        log.push(`API ${req.method} ${path}: ${why} → 401`);
        return send(res, 401, { 'www-authenticate': 'DPoP error="invalid_token"' });
      }
      if (checked.claims.ath !== sha256(token) || bound.get(token) !== checked.jkt) {
        log.push(`API ${req.method} ${path}: the proof is not by the token's key → 401`);
        return send(res, 401, { 'www-authenticate': 'DPoP error="invalid_token"' });
      }
      if (checked.claims.nonce !== apiNonce) {
        log.push(`API ${req.method} ${path}: proof verified, no nonce → 401 use_dpop_nonce`);
        return send(res, 401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': apiNonce });
      }
      log.push(`API ${req.method} ${path}: proof verified (htm, htu, ath, jkt, new jti, nonce) → 200`);
      send(res, 200, {}, { orders: [{ id: 7 }] });
    });
  });

  return {
    tokenUrl: `${as.url}/token`,
    apiUrl: api.url,
    log,
    close: async () => {
      for (const { server } of [as, api]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
