import { randomUUID } from 'node:crypto';
import { optionKeys, readOptions } from '../checks/options';
import { isToken } from '../checks/syntax';
import type { HttpRequest } from '../http/request';
import type { RequestContext } from '../middleware/context';
import type { RequestHook } from './types';

/** Options of {@link CorrelationIdHook}. */
export interface CorrelationIdOptions {
  /**
   * The header that carries the id.
   * @default 'X-Correlation-ID'
   */
  readonly headerName?: string;
}

/**
 * Adds a correlation id header: one UUID per call, the same on every retry
 * (kept in `context.metadata.correlationId`).
 * @example
 * ```ts
 * builder.withRequestHook(new CorrelationIdHook({ headerName: 'X-Request-ID' }));
 * ```
 */
export class CorrelationIdHook implements RequestHook {
  /** The header the id goes in. */
  readonly headerName: string;

  constructor(given: CorrelationIdOptions = {}) {
    const options = readOptions(
      given,
      'CorrelationIdHook',
      optionKeys<CorrelationIdOptions>()({ headerName: true }),
    );
    const name = options.headerName ?? 'X-Correlation-ID';
    if (!isToken(name)) {
      throw new TypeError('CorrelationIdHook: headerName must be a valid header name');
    }
    this.headerName = name;
  }

  /** Adds the call's correlation id (the same one on every retry). */
  beforeRequest(request: HttpRequest, context: RequestContext): HttpRequest {
    const existing = context.metadata.correlationId;
    const id = typeof existing === 'string' ? existing : randomUUID();
    context.metadata.correlationId = id;
    return request.withHeaders({ [this.headerName]: id });
  }
}
