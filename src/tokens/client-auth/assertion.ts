// JWT assertions: the claims of a client assertion (RFC 7523 §3), the checks a supplied
// assertion must pass before it is sent, and an assertion kept in a file that rotates.
import { readFile, stat } from 'node:fs/promises';
import { AuthenticationException } from '../../errors/authentication-exception';
import { jwtExpiresAtMs } from '../jwt';

/** `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2). */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Lifetime of the assertions we sign: short, since every attempt gets a fresh one. */
export const ASSERTION_LIFETIME_S = 60;

/**
 * The claims of a client assertion (RFC 7523 §3, OIDC Core §9): `iss` = `sub` = the client id,
 * `aud`, a unique `jti`, `iat` and an `exp` 60 s later.
 * @example clientAssertionClaims('svc', 'https://as.example', 1_700_000_000_000, 'b7…') // { iss: 'svc', sub: 'svc', … }
 */
export function clientAssertionClaims(
  clientId: string,
  audience: string,
  nowMs: number,
  jti: string,
): Record<string, string | number> {
  const iat = Math.floor(nowMs / 1000);
  return { iss: clientId, sub: clientId, aud: audience, jti, iat, exp: iat + ASSERTION_LIFETIME_S };
}

/** A compact JWS: three base64url parts (the signature may be empty only for `alg: none`, refused by servers anyway). */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Checks an assertion a caller supplied (a function's result, a file's content) before it goes
 * into a form: a compact JWS, nothing else. The value is never quoted.
 * @throws {AuthenticationException} naming where it came from
 */
export function checkSuppliedAssertion(value: unknown, source: string, serviceName: string): string {
  if (typeof value !== 'string' || !COMPACT_JWS.test(value.trim())) {
    throw new AuthenticationException(
      `${source} of "${serviceName}" did not give a JWT (a compact JWS: three base64url parts)`,
      { serviceName, retryable: true },
    );
  }
  return value.trim();
}

/**
 * An assertion kept in a file that another party rotates (Kubernetes projected tokens, Azure
 * workload identity): read again when the file changes (inode, size, modification or change
 * time) and never reused once the assertion's `exp` has passed.
 */
export class AssertionFile {
  readonly #path: string;
  readonly #serviceName: string;
  #cached: { readonly stamp: string; readonly value: string; readonly expiresAtMs?: number } | undefined;

  constructor(path: string, serviceName: string) {
    this.#path = path;
    this.#serviceName = serviceName;
  }

  /** The current assertion. */
  async read(now = Date.now()): Promise<string> {
    let stamp: string;
    try {
      const info = await stat(this.#path);
      stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
      const cached = this.#cached;
      if (cached?.stamp === stamp && (cached.expiresAtMs === undefined || cached.expiresAtMs > now))
        return cached.value;
      const value = checkSuppliedAssertion(
        await readFile(this.#path, 'utf8'),
        `clientAssertionFile ${this.#path}`,
        this.#serviceName,
      );
      this.#cached = { stamp, value, expiresAtMs: jwtExpiresAtMs(value) };
      return value;
    } catch (error) {
      if (error instanceof AuthenticationException) throw error;
      this.#cached = undefined;
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new AuthenticationException(
        `clientAssertionFile ${this.#path} of "${this.#serviceName}" cannot be read (${code})`,
        { serviceName: this.#serviceName, cause: error },
      );
    }
  }
}
