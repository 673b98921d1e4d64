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

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(
      name: string,
      handler: (ctx: GrantContext, next: () => Promise<void>) => Promise<void> | void,
      params?: string | readonly string[],
      dupes?: string | readonly string[],
    ): void;
  }
}
