// The builder's transport features (decompression, HTTP/2, proxies from the environment): their
// option types and validation, kept out of the builder so it stays one screenful per concern.
import { optionKeys, readOptions } from '../checks/options';
import type { Dispatcher } from '../transport/dispatcher';
import {
  type ProxyEnvironment,
  type ProxyFromEnvOptions,
  readProxyEnvironment,
} from '../transport/proxy-from-env';

/** Options of `withDecompression`. */
export interface DecompressionOptions {
  /**
   * The largest ratio of decoded to received bytes of a compressed body: past it (checked once
   * 1 MiB was decoded) the response fails with `ResponseTooLargeException`, so a small "zip bomb"
   * cannot fill memory. Applies to `stream()` bodies too.
   * @default 1000
   * @example { maxDecompressionRatio: 200 }
   */
  readonly maxDecompressionRatio?: number;
}

/** The default of `maxDecompressionRatio`. */
export const DEFAULT_MAX_DECOMPRESSION_RATIO = 1000;

const DECOMPRESSION_KEYS = optionKeys<DecompressionOptions>()({ maxDecompressionRatio: true });
const PROXY_ENV_KEYS = optionKeys<ProxyFromEnvOptions>()({ env: true });

/** What `withDecompression(setting)` records: on/off, and the ratio when options are given. */
export function decompressionSetting(setting: boolean | DecompressionOptions): TransportFeatureSettings {
  if (typeof setting !== 'object' || setting === null) return { decompression: setting };
  const own = readOptions(setting, 'withDecompression', DECOMPRESSION_KEYS);
  return own.maxDecompressionRatio === undefined
    ? { decompression: true }
    : { decompression: true, maxDecompressionRatio: own.maxDecompressionRatio };
}

/** Reads `withProxyFromEnv`'s options object (unknown keys refused). */
export function readProxyFromEnvOptions(options: ProxyFromEnvOptions): ProxyFromEnvOptions {
  return readOptions(options, 'withProxyFromEnv', PROXY_ENV_KEYS);
}

/** What the builder collected for these features, unchecked. */
export interface TransportFeatureSettings {
  readonly decompression?: unknown;
  readonly maxDecompressionRatio?: unknown;
  readonly http2?: unknown;
  readonly proxyFromEnv?: ProxyFromEnvOptions;
}

/** The validated config fields of these features; a `TypeError`/`RangeError` names the option. */
export function transportFeatures(
  settings: TransportFeatureSettings,
  proxy: string | undefined,
  dispatcher: Dispatcher | undefined,
): {
  decompression: boolean;
  maxDecompressionRatio: number;
  http2: boolean;
  proxyFromEnv: ProxyEnvironment | undefined;
} {
  const {
    decompression = true,
    maxDecompressionRatio: ratio = DEFAULT_MAX_DECOMPRESSION_RATIO,
    http2 = false,
  } = settings;
  if (typeof decompression !== 'boolean')
    throw new TypeError('withDecompression: expected a boolean or options');
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 1) {
    throw new RangeError(
      `withDecompression: maxDecompressionRatio must be a number of at least 1, got ${String(ratio)}`,
    );
  }
  if (typeof http2 !== 'boolean') throw new TypeError('withHttp2: expected a boolean');
  if (dispatcher !== undefined && (http2 || settings.proxyFromEnv)) {
    throw new TypeError(
      `${http2 ? 'withHttp2' : 'withProxyFromEnv'}: not available with withDispatcher (configure your dispatcher instead)`,
    );
  }
  let proxyFromEnv: ProxyEnvironment | undefined;
  // withProxy wins: the environment is not even read.
  if (settings.proxyFromEnv && proxy === undefined) {
    const given = settings.proxyFromEnv.env;
    const env = given === undefined ? process.env : given;
    if (env === null || typeof env !== 'object')
      throw new TypeError('withProxyFromEnv: env must be an object');
    proxyFromEnv = readProxyEnvironment(env);
  }
  return { decompression, maxDecompressionRatio: ratio, http2, proxyFromEnv };
}
