// A workload identity: the platform (Kubernetes projected service-account tokens, Azure workload
// identity, GitHub Actions OIDC) writes a signed assertion to a file and rotates it. The provider
// sends it as the client assertion and reads the file again whenever it changes.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientCredentialsTokenProvider, TokenManager } from 'requestforge';
import { identityProvider } from './support/identity-provider';

// The platform's signing key (the cluster's service-account issuer); the IdP trusts its public key.
const platform = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const idp = await identityProvider({ clients: { 'reports-pod': { publicKey: platform.publicKey } } });

/** What the platform writes: a JWT about the workload, for the IdP (its jti names it here). */
function platformToken(jti: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'reports-pod',
    sub: 'reports-pod',
    aud: idp.issuer,
    jti,
    iat: now,
    exp: now + 600,
  };
  const input = `${part({ alg: 'ES256', typ: 'JWT', kid: 'cluster-key' })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: platform.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const dir = mkdtempSync(join(tmpdir(), 'projected-'));
const file = join(dir, 'token'); // e.g. /var/run/secrets/tokens/idp-token
const firstId = randomUUID();
writeFileSync(file, platformToken(firstId));

const provider = new ClientCredentialsTokenProvider({
  issuer: idp.issuer, // discovery: the token endpoint and the assertion's audience
  clientId: 'reports-pod',
  clientAssertionFile: file,
  serviceName: 'reports-api',
});
const manager = new TokenManager(provider);
await manager.getToken();

// The platform rotates the file (atomically, as the kubelet does): the next token request uses it.
const rotatedId = randomUUID();
writeFileSync(`${file}.tmp`, platformToken(rotatedId));
renameSync(`${file}.tmp`, file);
await manager.forceRefresh();
console.log(
  `the IdP accepted the first assertion, then the rotated one: ${idp.assertionIds.join(',') === `${firstId},${rotatedId}`}`,
);

await manager.close();
rmSync(dir, { recursive: true, force: true });
await idp.close();
