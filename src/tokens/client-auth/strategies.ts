// Client authentication strategies: each turns (client id, audience) into the form fields and
// headers of ONE attempt of a token request. Built once per provider; called for every attempt,
// so assertions are signed anew each time (a fresh jti and iat, also on retries).
import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../jose/jws';
import { signJwt } from '../jose/jws';
import { clientAssertionClaims, JWT_BEARER_ASSERTION_TYPE } from './assertion';
import type { ClientAuthMethod } from './options';

/** What one attempt carries to authenticate the client. */
export interface AttemptCredentials {
  /** Form fields (`client_id`, `client_secret`, `client_assertion`, …). */
  readonly form: Readonly<Record<string, string>>;
  /** Headers (`Authorization: Basic …`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Values to scrub from anything the server quotes back. */
  readonly secrets: readonly string[];
}

/** Who authenticates to whom, for one attempt. */
export interface ClientAuthTarget {
  readonly clientId: string;
  /** The `aud` of an assertion: the issuer when known, else the token endpoint. */
  readonly audience: string;
}

/** One client authentication method, ready to authenticate attempts. */
export interface ClientAuthStrategy {
  readonly method: ClientAuthMethod;
  /** The credentials of one attempt. */
  credentials(target: ClientAuthTarget): AttemptCredentials | Promise<AttemptCredentials>;
}

/**
 * RFC 6749 §2.3.1 client authentication with HTTP Basic: the client id and secret are each
 * form-urlencoded before the Basic encoding (many servers get this wrong; we do not).
 * @example
 * ```ts
 * clientSecretBasic('my client', 's3cret'); // 'Basic bXkrY2xpZW50OnMzY3JldA=='
 * ```
 */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64')}`;
}

/** `client_secret_post`: id and secret in the form. */
export function secretPost(secret: string): ClientAuthStrategy {
  return {
    method: 'client_secret_post',
    credentials: ({ clientId }) => ({
      form: { client_id: clientId, client_secret: secret },
      secrets: [secret],
    }),
  };
}

/** `client_secret_basic`: id and secret in the `Authorization` header, nothing in the form. */
export function secretBasic(secret: string): ClientAuthStrategy {
  return {
    method: 'client_secret_basic',
    credentials: ({ clientId }) => {
      const basic = clientSecretBasic(clientId, secret);
      return { form: {}, headers: { authorization: basic }, secrets: [secret, basic.slice('Basic '.length)] };
    },
  };
}

/** `none`, `tls_client_auth`, `self_signed_tls_client_auth`: only `client_id` in the form. */
export function clientIdOnly(method: ClientAuthMethod): ClientAuthStrategy {
  return { method, credentials: ({ clientId }) => ({ form: { client_id: clientId }, secrets: [] }) };
}

/** The form of a JWT client assertion (RFC 7523 §2.2); the id too, which servers match against `sub`. */
function assertionForm(clientId: string, assertion: string, known: readonly string[]): AttemptCredentials {
  return {
    form: {
      client_id: clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
    },
    secrets: [...known, assertion],
  };
}

/**
 * `private_key_jwt` / `client_secret_jwt` signed here: a new assertion (new `jti`, `iat`, `exp`)
 * for every attempt.
 */
export function signedAssertion(
  method: 'private_key_jwt' | 'client_secret_jwt',
  signer: SigningKey,
  keyId: string | undefined,
  known: readonly string[],
  now: () => number = Date.now,
): ClientAuthStrategy {
  const header = keyId === undefined ? {} : { kid: keyId };
  return {
    method,
    credentials: ({ clientId, audience }) => {
      const claims = clientAssertionClaims(clientId, audience, now(), randomUUID());
      return assertionForm(clientId, signJwt(claims, signer, header), known);
    },
  };
}

/** An assertion from elsewhere (`clientAssertion`, `clientAssertionFile`), asked for per attempt. */
export function suppliedAssertion(
  method: 'private_key_jwt' | 'client_secret_jwt',
  supply: () => Promise<string>,
  known: readonly string[],
): ClientAuthStrategy {
  return {
    method,
    credentials: async ({ clientId }) => assertionForm(clientId, await supply(), known),
  };
}
