import { ClientCredentialsTokenProvider, PasswordGrantTokenProvider, type TokenProvider } from 'requestforge';

/** A provider the command line can close when it is done. */
export type CliProvider = TokenProvider & { close?(): Promise<void> };

/**
 * Profile `grant` names → the provider class that implements them. The profile's other options
 * are passed to the constructor under their own names (each class refuses options it does not
 * know). One line per grant.
 */
export const GRANTS: Readonly<Record<string, (options: Record<string, unknown>) => CliProvider>> =
  Object.freeze({
    client_credentials: (options) => new ClientCredentialsTokenProvider(options as never),
    password: (options) => new PasswordGrantTokenProvider(options as never),
  });
