// The little of oidc-provider's API the tests use (the package ships no types).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The part of a request's context a custom grant handler reads and writes. */
  export interface GrantContext {
    oidc: {
      params: Record<string, string | undefined>;
      client: { clientId: string };
    };
    body: unknown;
    status: number;
  }

  /** A model a test creates directly (a grant, a refresh token) and saves. */
  interface SavedModel {
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    /** Client lookup (a refresh token is issued to a client object). */
    Client: { find(id: string): Promise<unknown> };
    Grant: new (
      init: Record<string, unknown>,
    ) => SavedModel & {
      addOIDCScope(scope: string): void;
      addResourceScope(resource: string, scope: string): void;
    };
    RefreshToken: new (
      init: Record<string, unknown>,
    ) => SavedModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(
      name: string,
      handler: (ctx: GrantContext, next: () => Promise<void>) => Promise<void> | void,
      params?: string | readonly string[],
      dupes?: string | readonly string[],
    ): void;
  }
}
