import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  ClientCredentialsTokenProvider,
  JwtBearerTokenProvider,
  PasswordGrantTokenProvider,
  RefreshTokenProvider,
  TokenExchangeTokenProvider,
  type TokenProvider,
} from 'requestforge';

/** A provider the command line can close when it is done. */
export type CliProvider = TokenProvider & { close?(): Promise<void> };

/** A DPoP proof key given as text (a PEM private key, or a private JWK's JSON), never echoed. */
function proofKey(text: string): KeyObject {
  try {
    return text.trimStart().startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text), format: 'jwk' })
      : createPrivateKey(text);
  } catch {
    throw new TypeError('dpop.privateKey is neither a PEM private key nor a private JWK');
  }
}

/**
 * Options a profile gives as (resolved) strings that a provider takes in another form: a client
 * assertion or a JWT-bearer assertion read from `env:` or `file:` (a function), a DPoP proof key
 * (a `KeyObject`).
 */
function fromProfile(options: Record<string, unknown>): never {
  const supplied: Record<string, unknown> = { ...options };
  for (const name of ['clientAssertion', 'assertion']) {
    const value = supplied[name];
    if (typeof value === 'string') supplied[name] = async () => value;
  }
  const dpop = supplied.dpop as { privateKey?: unknown } | undefined;
  if (typeof dpop?.privateKey === 'string')
    supplied.dpop = { ...dpop, privateKey: proofKey(dpop.privateKey) };
  return supplied as never;
}

/**
 * Profile `grant` names → the provider class that implements them. The profile's other options
 * are passed to the constructor under their own names (each class refuses options it does not
 * know). One line per grant.
 */
export const GRANTS: Readonly<Record<string, (options: Record<string, unknown>) => CliProvider>> =
  Object.freeze({
    client_credentials: (options) => new ClientCredentialsTokenProvider(fromProfile(options)),
    password: (options) => new PasswordGrantTokenProvider(fromProfile(options)),
    refresh_token: (options) => new RefreshTokenProvider(fromProfile(options)),
    jwt_bearer: (options) => new JwtBearerTokenProvider(fromProfile(options)),
    token_exchange: (options) => new TokenExchangeTokenProvider(fromProfile(options)),
  });
