import {
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { TokenRequestMessage } from 'requestforge';
import { HTTP, RF } from './attributes';
import type { Instruments } from './instruments';

const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `requestforge.token.fetch` spans: one per provider call of a `TokenManager`, a child of the
 * active span (the call that needed the token: the first one, when many share it) and the active
 * span of the token endpoint's HTTP requests. Attributes: service name, reason, grant, outcome,
 * and on failure the stable error code and the OAuth error code. Never a token, a secret or an
 * assertion: the message carries none.
 */
export class TokenSpans {
  readonly #tracer: Tracer;
  readonly #instruments: Instruments;
  readonly #spans = new WeakMap<TokenRequestMessage, Span>();

  constructor(tracer: Tracer, instruments: Instruments) {
    this.#tracer = tracer;
    this.#instruments = instruments;
  }

  start(message: TokenRequestMessage): void {
    const parent = otelContext.active();
    const span = this.#tracer.startSpan(
      'requestforge.token.fetch',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          [RF.tokenService]: message.serviceName,
          [RF.tokenReason]: message.reason,
          [RF.tokenGrant]: message.grant,
        },
      },
      parent,
    );
    this.#spans.set(message, span);
    const inside = trace.setSpan(parent, span);
    message.wrap((run) => otelContext.with(inside, run));
  }

  end(message: TokenRequestMessage): void {
    const outcome = message.outcome ?? 'failure';
    this.#instruments.tokenRequests.add(1, {
      [RF.tokenService]: message.serviceName,
      [RF.tokenReason]: message.reason,
      [RF.tokenOutcome]: outcome,
    });
    const span = this.#spans.get(message);
    if (span === undefined) return;
    this.#spans.delete(message);
    span.setAttribute(RF.tokenOutcome, outcome);
    if (outcome === 'failure') {
      if (message.error !== undefined) span.setAttribute(HTTP.errorType, message.error);
      // An RFC 6749 error code is a short ASCII word; anything else a server sent stays out.
      if (message.oauthError !== undefined && OAUTH_ERROR_CODE.test(message.oauthError))
        span.setAttribute(RF.tokenOAuthError, message.oauthError);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}
