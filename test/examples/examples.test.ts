import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const examples = readdirSync(resolve(root, 'examples')).filter((f) => /^\d\d-.*\.ts$/.test(f));

/** What each example must print: the observable proof that its feature works. */
const expectations: Record<string, RegExp[]> = {
  '01-bearer-token.ts': [
    /GET \/protected-resource \{"authorization":"Bearer your-api-token-here"\}/,
    /^200 /m,
  ],
  '02-api-key.ts': [
    /GET \/items \{"x-api-key":"your-api-key"\}[\s\S]*GET \/items \{"x-api-key":"your-api-key"\}/,
  ],
  '03-basic-auth.ts': [/\{"authorization":"Basic dXNlcjpwYXNz"\}/],
  '04-token-manager.ts': [
    /GET \/resource with a token → 401\n.*grant_type=client_credentials[^\n]*\n.*GET \/resource with a token → 200/,
    /status 200; token requests: \{"client_credentials":2\}/,
    /GET \/health without credentials → 200/,
  ],
  '05-client-credentials.ts': [
    /credentials in the form body\) scope="read write delete"/,
    /credentials in the Basic header/,
  ],
  '06-password-grant.ts': [/refresh token issued: true/, /grants: \{"password":1,"refresh_token":1\}/],
  '07-custom-token-provider.ts': [/custom provider calls: 1/],
  '08-in-memory-storage.ts': [/stored under auth_token:example-api:[0-9a-f]{16}: true/],
  '09-auth-retry.ts': [
    /simple: 200/,
    /exponential: 200/,
    /conditional: 200/,
    /GET \/conditional with a token → 401/,
  ],
  '10-path-exclusion.ts': [
    /GET \/public\/a\/b without credentials/,
    /GET \/public\/x without credentials/,
    /GET \/orders with a token → 200\n[\s\S]*GET \/orders with a token → 200/,
  ],
  '11-multi-service.ts': [/service A: 200, service B: 200/],
  '12-best-practices.ts': [
    /one token for both requests: true/,
    /Auth failed: example-api \(invalid_client\)/,
  ],
  '13-pipeline-basic.ts': [
    /\[auth\.example\.com\] POST \/v1\/app\/token grant_type=client_credentials[^\n]*→ 200\n.*\[auth\.example\.com\] POST \/v1\/user\/token X-App-Token=present[^\n]*→ 200\n.*\[api\.example\.com\] GET \/user\/profile with the user token → 200/,
    /token requests: \{"\/v1\/app\/token":1,"\/v1\/user\/token":1\}/,
    /cached under myapp:app_token:[0-9a-f]{16} and myapp:user_token:[0-9a-f]{16}: true/,
  ],
  '14-pipeline-advanced.ts': [
    /POST \/v1\/user\/token X-App-Token=present[^\n]*→ 200/,
    /GET \/user\/profile with a rejected token → 401\n.*POST \/v1\/user\/token X-App-Token=present[^\n]*→ 200\n.*GET \/user\/profile with the user token → 200/,
    /after revocation: 200; token requests: \{"\/v1\/app\/token":1,"\/v1\/user\/token":2\}/,
  ],
  '15-shared-cache-storage.ts': [
    /worker-2 reused worker-1's token from the cache: true; token requests: \{"client_credentials":1\}/,
  ],
  '16-custom-storage.ts': [/stored under auth_token:example-api:[0-9a-f]{16}, read back: true/],
  '17-complete-oauth2-service.ts': [/GET \/users → 200/, /← 200 GET .*\/users/],
  '18-token-identity.ts': [
    /reader key: auth_token:billing:[0-9a-f]{16}\nadmin key: {2}auth_token:billing:[0-9a-f]{16}/,
    /the admin manager got its own token: true/,
    /same configuration, same token: true/,
    /cacheKey shares on purpose: true\ntoken requests: \{"client_credentials":2\}/,
  ],
  '19-token-endpoint-resilience.ts': [
    /100 callers → 1 token request; ERR_TOKEN_ENDPOINT_THROTTLED, retry after \d+ ms/,
    /refused at once: ERR_TOKEN_ENDPOINT_THROTTLED; token requests still 1/,
    /replay 1 after 200 ms, with a new token[\s\S]*replay 2 after 400 ms, with the same token/,
    /GET \/orders → 200 with 2 token requests after the throttle/,
    /GET \/admin → 403 insufficient_scope \(scope admin\); token requests: \+0/,
  ],
  '21-compression.ts': [
    /Accept-Encoding: gzip, deflate, br → br/,
    /decoded 12400 bytes, 500 rows; content-encoding now: none/,
    /bomb stopped: ERR_RESPONSE_TOO_LARGE \(ratio limit 1000\)/,
    /Accept-Encoding: \(none\) → identity[\s\S]*withDecompression\(false\): 12400 bytes as sent/,
  ],
  '22-http2.ts': [/50 requests: HTTP\/2\.0, Bearer your-api-token-here, over 1 session\(s\)/],
  '23-proxy-from-env.ts': [
    /config prints: \{"httpProxy":"http:\/\/\[REDACTED\]@127\.0\.0\.1:\d+\/"/,
    /\[proxy\] CONNECT 127\.0\.0\.1:\d+ with Proxy-Authorization\n.*GET \/orders \{"authorization":"Bearer your-api-token-here"\}\nthrough the proxy: 200/,
    /GET \/health \{\}\nNO_PROXY localhost: 200/,
  ],
  '24-uploads.ts': [
    /POST \/uploads multipart\/form-data, Content-Length: (\d+), received \1 bytes\n.*POST \/uploads multipart\/form-data, Content-Length: \1, received \1 bytes\nform upload: 201/,
    /POST \/raw no content type, Content-Length: none \(chunked\), received 6553600 bytes\nstream upload: 503/,
  ],
  '25-opentelemetry.ts': [
    /traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-01/,
    /^ {2}GET http\.response\.status_code=200 http\.request\.resend_count=1\n {4}requestforge\.token\.fetch requestforge\.token\.reason=invalidated requestforge\.token\.outcome=success\n {6}POST http\.response\.status_code=200\n {4}GET http\.response\.status_code=401\n {4}GET http\.response\.status_code=200 http\.request\.resend_count=1$/m,
    /requestforge\.auth\.replays 1/,
    /http\.client\.request\.duration 6/,
  ],
  '26-command-line.ts': [
    /source: +token endpoint[\s\S]*source: +cache/,
    /GET \/orders with a token → 200\n\{"path":"\/orders"\}/,
    /token requests: \{"client_credentials":1\}/,
    /holds a literal secret[^\n]*\n\(exit code 2\)/,
  ],
  '28-encryption-key-rotation.ts': [
    /deploy 1 \[OLD, NEW\]: reads the stored token: true; token requests: 1/,
    /deploy 2 renewal sealed with NEW: true; token requests: 2\na deploy-1 process reads it: true; token requests: 2/,
    /the cache holds no token: true; stored fields: v, kid, sealed/,
  ],
  '29-redis-cluster-fleet.ts': [
    /got one token: true; token requests: \{"client_credentials":1\}\ntoken and lock in one slot: true|^skipped: /m,
  ],
  '30-private-key-jwt.ts': [
    /authMethod: private_key_jwt/,
    /alg ES256, kid orders-job-2026, jti (\w{8})…, signature verified\n.*alg ES256, kid orders-job-2026, jti (?!\1)\w{8}…, signature verified\ntwo tokens: true/,
    /an unregistered key: invalid_client, retryable: false/,
  ],
  '31-client-assertion-file.ts': [/the IdP accepted the first assertion, then the rotated one: true/],
  '32-mtls.ts': [
    /tls_client_auth: certificate CN=svc-mtls, issued by the trusted client CA\ntoken obtained with the client certificate: true/,
    /client certificate CN=intruder is not CN=svc-mtls\nanother certificate: invalid_client/,
  ],
  '33-discovery.ts': [
    /2 providers, 50 callers → metadata fetched 1 time\(s\)/,
    /mix-up: .*its issuer "https:\/\/login\.attacker\.example" is not the configured issuer/,
    /authMethod 'client_secret_basic' of "billing" is not supported by issuer .* \(token_endpoint_auth_methods_supported: private_key_jwt, client_secret_post\)/,
  ],
  '34-refresh-and-revocation.ts': [
    /the storage still holds the rotated refresh token: true\n.*refresh_token grant with rt-\d+-…: rotated\nthe restarted process got a token: true/,
    /revoked: access_token of reports-job\n.*revoked: refresh_token of reports-job\nrevoked at the server: 2/,
  ],
  '35-token-exchange.ts': [
    /alice: Bearer obo-eyJ-alice-ac-\d+\nbob: {3}Bearer obo-eyJ-bob-acce-\d+\nalice again, same token: true; two users kept apart: true/,
  ],
  '36-dpop.ts': [
    /token endpoint: proof verified \(jkt (\S{8})…\), no nonce → 400 use_dpop_nonce\ntoken endpoint: proof verified \(jkt \1…\), nonce ok → token_type DPoP, bound to that key/,
    /API GET \/orders: proof verified, no nonce → 401 use_dpop_nonce\nAPI GET \/orders: proof verified \(htm, htu, ath, jkt, new jti, nonce\) → 200\nAPI GET \/orders\/7: proof verified \(htm, htu, ath, jkt, new jti, nonce\) → 200/,
    /GET \/orders → 200, GET \/orders\/7 → 200; token requests: 1, refreshes: 0\nthe token without its key: 401/,
  ],
  '37-pipeline-dpop.ts': [
    /token endpoint: proof verified \(jkt (\S{8})…\), no nonce → 400 use_dpop_nonce\ntoken endpoint: proof verified \(jkt \1…\), nonce ok → token_type DPoP, bound to that key/,
    /API GET \/orders\/7: proof verified \(htm, htu, ath, jkt, new jti, nonce\) → 200/,
    /GET \/orders → 200, GET \/orders\/7 → 200; token type: DPoP, token requests: 1/,
  ],
};

// Each example is a tsx process: on a busy 2-core machine they queue for the CPU.
describe('every guide example has a working TypeScript twin', { timeout: 60_000 }, () => {
  it('each example has expectations', () => {
    expect(examples.sort()).toEqual(Object.keys(expectations).sort());
  });

  it.concurrent.each(examples)('%s runs and shows its feature', async (file) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', resolve(root, 'examples', file)], {
      cwd: root,
      timeout: 60_000,
    });
    for (const pattern of expectations[file] ?? []) expect(stdout).toMatch(pattern);
  });
});
