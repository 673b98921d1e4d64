// Where a provider's requests go: the configured URLs, or the ones the issuer's metadata names
// (fetched only for what is not configured). Checks the configured client authentication
// against the methods the server lists.
import { AuthenticationException } from '../../errors/authentication-exception';
import type { ClientAuthMethod } from '../client-auth/options';
import { discoverMetadata } from '../discovery/discovery';
import { type AuthorizationServerMetadata, checkIssuer } from '../discovery/metadata';
import type { TokenSender } from '../exchange/token-http';
import { checkTokenUrl } from './oauth2-options';

/** The endpoint options of an OAuth 2 provider. */
export interface EndpointOptions {
  readonly tokenUrl?: string;
  readonly issuer?: string;
  readonly revocationUrl?: string;
  readonly allowInsecureTokenUrl?: boolean;
}

/** What the endpoints need to know about their provider. */
export interface EndpointContext {
  readonly serviceName: string;
  readonly authMethod: ClientAuthMethod;
  /** True when the provider presents a client certificate: the mTLS aliases are used (RFC 8705 §5). */
  readonly presentsCertificate: boolean;
  /** How requests reach the issuer, for the shared metadata cache. */
  readonly route: string;
}

/** A provider's endpoints: configured, or discovered from `issuer` on first use. */
export class ProviderEndpoints {
  /** The configured token endpoint (normalised). */
  readonly tokenUrl: string | undefined;
  /** The configured issuer, as given. */
  readonly issuer: string | undefined;
  /** The configured revocation endpoint (normalised). */
  readonly revocationUrl: string | undefined;
  readonly #allowInsecure: boolean | undefined;
  readonly #context: EndpointContext;

  constructor(options: EndpointOptions, context: EndpointContext) {
    const allow = options.allowInsecureTokenUrl;
    this.#allowInsecure = allow;
    this.#context = context;
    this.issuer = options.issuer === undefined ? undefined : checkIssuer(options.issuer, allow);
    if (options.tokenUrl === undefined && this.issuer === undefined)
      throw new TypeError('tokenUrl (or issuer, to discover it) is required');
    this.tokenUrl = options.tokenUrl === undefined ? undefined : checkTokenUrl(options.tokenUrl, allow);
    this.revocationUrl =
      options.revocationUrl === undefined
        ? undefined
        : checkTokenUrl(options.revocationUrl, allow, 'revocationUrl');
  }

  /** The token endpoint: configured, else discovered (the mTLS alias when a certificate is presented). */
  async token(sender: TokenSender): Promise<string> {
    if (this.tokenUrl !== undefined) return this.tokenUrl;
    const metadata = await this.#metadata(sender);
    return (this.#context.presentsCertificate && metadata.mtlsTokenEndpoint) || metadata.tokenEndpoint;
  }

  /** The revocation endpoint: configured, else discovered; `undefined` when the server has none. */
  async revocation(sender: TokenSender): Promise<string | undefined> {
    if (this.revocationUrl !== undefined) return this.revocationUrl;
    if (this.issuer === undefined) return undefined;
    const metadata = await this.#metadata(sender);
    return (
      (this.#context.presentsCertificate && metadata.mtlsRevocationEndpoint) || metadata.revocationEndpoint
    );
  }

  async #metadata(sender: TokenSender): Promise<AuthorizationServerMetadata> {
    const { serviceName, authMethod, route } = this.#context;
    const issuer = this.issuer!;
    const metadata = await discoverMetadata({
      issuer,
      send: sender.send,
      maxRetries: sender.maxRetries,
      serviceName,
      allowInsecure: this.#allowInsecure,
      route,
    });
    const supported = metadata.authMethods;
    if (supported !== undefined && !supported.includes(authMethod)) {
      throw new AuthenticationException(
        `authMethod '${authMethod}' of "${serviceName}" is not supported by issuer ${issuer} (token_endpoint_auth_methods_supported: ${supported.join(', ') || 'none'})`,
        { serviceName, retryable: false, context: { issuer } },
      );
    }
    return metadata;
  }
}
