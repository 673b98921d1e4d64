import { describeError } from '../checks/describe-error';
import { unsendableToken } from '../checks/syntax';
import { AuthenticationException } from '../errors/authentication-exception';
import { withDeadline } from './deadline';
import { TokenData } from './token-data';

/**
 * Calls a provider within `timeoutMs` and normalises what comes back: a `TokenData` (or a plain
 * object shaped like one) whose token can be sent in a header, else an `AuthenticationException`
 * naming the service. Every failure becomes an `AuthenticationException`; one thrown by the
 * provider passes through as is.
 */
export async function callProvider(
  call: () => Promise<unknown>,
  serviceName: string,
  timeoutMs: number,
): Promise<TokenData> {
  const timedOut = () =>
    new AuthenticationException(
      `Token request for "${serviceName}" did not complete within ${timeoutMs} ms`,
      {
        serviceName,
      },
    );
  let value: unknown;
  try {
    value = await withDeadline(call, timeoutMs, timedOut);
  } catch (error) {
    if (error instanceof AuthenticationException) throw error;
    throw new AuthenticationException(
      `Token provider for "${serviceName}" failed (${describeError(error)})`,
      { serviceName, cause: error },
    );
  }
  return checkSendable(asToken(value, serviceName), serviceName);
}

/**
 * A token the transport cannot send (see `unsendableToken`) is refused on arrival: it is never
 * installed, stored or cached, and no request ever fails on it later.
 */
export function checkSendable(token: TokenData, serviceName: string): TokenData {
  const bare = token.tokenType === '';
  const tokenProblem = unsendableToken(token.accessToken, bare);
  const problem = tokenProblem ?? (bare ? undefined : unsendableToken(token.tokenType));
  if (problem === undefined) return token;
  const what = tokenProblem ? 'access token' : 'token type';
  throw new AuthenticationException(
    `Token for "${serviceName}" refused on arrival: its ${what} ${problem}, so it could not be sent in a header`,
    { serviceName },
  );
}

function asToken(value: unknown, serviceName: string): TokenData {
  if (value instanceof TokenData) return value;
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { accessToken?: unknown }).accessToken === 'string'
  ) {
    try {
      return new TokenData(value as ConstructorParameters<typeof TokenData>[0]);
    } catch (error) {
      throw new AuthenticationException(`Token provider for "${serviceName}" returned an unusable token`, {
        serviceName,
        cause: error,
      });
    }
  }
  throw new AuthenticationException(`Token provider for "${serviceName}" returned no TokenData`, {
    serviceName,
  });
}
