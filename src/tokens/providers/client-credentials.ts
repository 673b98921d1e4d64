import { optionKeys, readOptions } from '../../checks/options';
import type { IdentityParts } from '../identity';
import { OAuth2GrantProvider } from './oauth2-grant-provider';
import type { OAuth2ProviderOptions } from './oauth2-options';
import { checkString, OAUTH2_OPTION_KEYS } from './oauth2-options';

/** Options of {@link ClientCredentialsTokenProvider}. */
export interface ClientCredentialsOptions extends OAuth2ProviderOptions {
  /**
   * The grant type sent.
   * @default 'client_credentials'
   */
  readonly grantType?: string;
}

const RESERVED = ['grant_type', 'refresh_token', 'scope'];
const KEYS = optionKeys<ClientCredentialsOptions>()({
  ...OAUTH2_OPTION_KEYS,
  grantType: true,
});

/**
 * OAuth 2 client credentials grant (RFC 6749 §4.4). Uses the refresh token when the server
 * issued one, and falls back to a new grant when the refresh is refused. The client must
 * authenticate: a `clientSecret`, a `privateKey` or client assertion, a client certificate, or
 * `authMethod: 'none'` said explicitly.
 *
 * @example
 * ```ts
 * const provider = new ClientCredentialsTokenProvider({
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'your-client-id',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   serviceName: 'example-api',
 *   scope: 'read write',
 *   authMethod: 'header',
 * });
 * ```
 */
export class ClientCredentialsTokenProvider extends OAuth2GrantProvider {
  /** The grant type sent (`client_credentials` unless configured). */
  readonly grantType: string;

  constructor(given: ClientCredentialsOptions) {
    const exact = new.target === ClientCredentialsTokenProvider;
    const options = readOptions(given, 'ClientCredentialsTokenProvider', exact ? KEYS : undefined);
    try {
      super(options, RESERVED, false);
      this.grantType = checkString(options.grantType ?? 'client_credentials', 'grantType');
    } catch (error) {
      if (error instanceof TypeError) error.message = `ClientCredentialsTokenProvider: ${error.message}`;
      throw error;
    }
  }

  protected grantForm(): Record<string, string> {
    return { grant_type: this.grantType };
  }

  protected grantSecrets(): readonly string[] {
    return [];
  }

  protected grantIdentity(): IdentityParts {
    return { grantType: this.grantType };
  }
}
