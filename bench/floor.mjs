// The floor: undici's `Agent.dispatch` with a bare legacy (v1) handler that collects the body and
// one `JSON.parse`. No stream, no promise per chunk, no header object: what any client built on
// undici pays at least. undici's own `request()` does not reach it either.
import zlib from 'node:zlib';
import { Agent } from 'undici';

/** Collects one response body; resolves with it as a Buffer. */
class BareHandler {
  constructor(resolve, reject) {
    this.resolve = resolve;
    this.reject = reject;
    this.chunks = [];
    this.statusCode = 0;
  }
  onConnect() {}
  onHeaders(statusCode) {
    this.statusCode = statusCode;
    return true;
  }
  onData(chunk) {
    this.chunks.push(chunk);
    return true;
  }
  onComplete() {
    const { chunks } = this;
    if (this.statusCode !== 200) this.reject(new Error(`status ${this.statusCode}`));
    else this.resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }
  onError(error) {
    this.reject(error);
  }
}

/**
 * The request headers requestforge sends by default on a GET with a credential: its user agent,
 * the codings it decodes, the credential. The raw rows send the same ones, so each row and its
 * counterpart are the same request on the wire (test/transport/bench-floor.test.ts keeps the two
 * in step).
 */
export function requestforgeHeaders(version, authorization) {
  return { 'user-agent': `requestforge/${version}`, 'accept-encoding': 'gzip, deflate, br', authorization };
}

/** One exchange through `agent.dispatch`: the body as a Buffer. */
export function dispatchOnce(agent, options) {
  return new Promise((resolve, reject) => agent.dispatch(options, new BareHandler(resolve, reject)));
}

/**
 * A floor client: `{ request(), close() }`. `path`, `method`, `headers` shape the request;
 * `makeBody()` (when given) makes each request's body; `decode` turns the body Buffer into the
 * parsed value (one `JSON.parse` by default).
 */
export function floorClient(
  origin,
  { connections, path = '/items', method = 'GET', headers, makeBody, decode },
) {
  const agent = new Agent({ connections });
  const options = { origin, path, method, headers };
  const parse = decode ?? ((buffer) => JSON.parse(buffer.toString()));
  return {
    async request() {
      const sent = makeBody === undefined ? options : { origin, path, method, headers, body: makeBody() };
      parse(await dispatchOnce(agent, sent));
    },
    close: () => agent.close(),
  };
}

/** The floor for a gzip-encoded JSON body: dispatch, `gunzipSync`, one `JSON.parse`. */
export const gunzipJson = (buffer) => JSON.parse(zlib.gunzipSync(buffer).toString());
