// Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY): reading the variables and
// deciding, per request origin, which proxy (if any) to use. Pure: no I/O, no undici.
import { BlockList, isIP } from 'node:net';

/** Where the proxy variables are read from. */
export type ProxyEnvSource = Readonly<Record<string, string | undefined>>;

/** Options of `withProxyFromEnv`. */
export interface ProxyFromEnvOptions {
  /**
   * The variables to read instead of `process.env` (tests, or settings from a file).
   * @default process.env
   * @example { HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '.internal,localhost' }
   */
  readonly env?: ProxyEnvSource;
}

/** The proxy settings read from the environment once, when the config is built. */
export interface ProxyEnvironment {
  /** The proxy for `http:` origins (`http_proxy`, then `HTTP_PROXY`). */
  readonly httpProxy: string | undefined;
  /** The proxy for `https:` origins (`https_proxy`, then `HTTPS_PROXY`). */
  readonly httpsProxy: string | undefined;
  /** The raw `no_proxy` / `NO_PROXY` list. */
  readonly noProxy: string;
}

/** One `NO_PROXY` entry. */
export type NoProxyRule =
  | { readonly kind: 'all' }
  | { readonly kind: 'domain'; readonly domain: string; readonly port: number | undefined }
  | { readonly kind: 'ip'; readonly ip: string; readonly port: number | undefined }
  | { readonly kind: 'cidr'; readonly list: BlockList };

/** The lower-case spelling wins over the upper-case one (curl, Python requests, undici). */
function variable(env: ProxyEnvSource, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * A proxy URL from a variable: a missing scheme means `http://`; only http and https proxies are
 * supported. The error names the variable and never quotes its value (it may hold a password).
 */
function proxyUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`withProxyFromEnv: ${name} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`withProxyFromEnv: ${name} must be an http:// or https:// proxy URL`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(`withProxyFromEnv: ${name} must be a proxy origin, without a path or query`);
  }
  return url.href;
}

/** Reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) from `env`. */
export function readProxyEnvironment(env: ProxyEnvSource): ProxyEnvironment {
  return Object.freeze({
    httpProxy: proxyUrl(variable(env, 'http_proxy'), 'HTTP_PROXY'),
    httpsProxy: proxyUrl(variable(env, 'https_proxy'), 'HTTPS_PROXY'),
    noProxy: variable(env, 'no_proxy') ?? '',
  });
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port > 0 && port < 65536 ? port : undefined;
}

/** Splits `host:port`, `[v6]:port`, a bare IPv6 address or a host into its parts. */
function splitHostPort(entry: string): { host: string; port: number | undefined } | undefined {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) return undefined;
    const rest = entry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    const port = rest === '' ? undefined : parsePort(rest.slice(1));
    if (rest !== '' && port === undefined) return undefined;
    return { host: entry.slice(1, close), port };
  }
  if (isIP(entry) === 6) return { host: entry, port: undefined };
  const colon = entry.lastIndexOf(':');
  if (colon === -1) return { host: entry, port: undefined };
  const port = parsePort(entry.slice(colon + 1));
  return port === undefined ? undefined : { host: entry.slice(0, colon), port };
}

function cidrRule(entry: string): NoProxyRule | undefined {
  const slash = entry.indexOf('/');
  const address = entry.slice(0, slash);
  const family = isIP(address);
  const prefix = Number(entry.slice(slash + 1));
  const max = family === 6 ? 128 : 32;
  if (family === 0 || !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > max) return undefined;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  return { kind: 'cidr', list };
}

/**
 * Parses a `NO_PROXY` list: comma- or space-separated entries, case-insensitive.
 * - `*` alone: no request uses a proxy.
 * - `example.com`, `.example.com` and `*.example.com`: that host and every subdomain.
 * - `host:port`, `[::1]:8080`: only that port.
 * - an IP address (`10.1.2.3`, `::1`) or a CIDR range (`10.0.0.0/8`): those addresses, as written
 *   in the URL (host names are never resolved).
 * Entries that cannot be understood are ignored, like other clients do.
 */
export function parseNoProxy(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return [{ kind: 'all' }];
    if (entry.includes('/')) {
      const rule = cidrRule(entry);
      if (rule) rules.push(rule);
      continue;
    }
    const parts = splitHostPort(entry);
    if (parts === undefined) continue;
    if (isIP(parts.host) !== 0) {
      rules.push({ kind: 'ip', ip: normalizeIp(parts.host), port: parts.port });
      continue;
    }
    const domain = parts.host.replace(/^\*?\.+/, '').replace(/\.$/, '');
    if (domain !== '') rules.push({ kind: 'domain', domain, port: parts.port });
  }
  return rules;
}

function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  // One spelling per IPv6 address, so `::1` and `0:0::1` compare equal.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** The parts of a request origin that `NO_PROXY` is matched against. */
export interface ProxyTarget {
  /** `http:` or `https:` */
  readonly protocol: string;
  /** The URL's host name, lower case (IPv6 in brackets, as `URL.hostname` gives it). */
  readonly hostname: string;
  /** The port, or `''` for the scheme's default. */
  readonly port: string;
}

/** True when `NO_PROXY` exempts this origin from the proxy. */
export function bypassesProxy(target: ProxyTarget, rules: readonly NoProxyRule[]): boolean {
  if (rules.length === 0) return false;
  const bracketed = target.hostname.startsWith('[');
  const host = (bracketed ? target.hostname.slice(1, -1) : target.hostname).replace(/\.$/, '');
  const port = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : Number(target.port);
  const family = isIP(host);
  for (const rule of rules) {
    switch (rule.kind) {
      case 'all':
        return true;
      case 'cidr':
        if (family !== 0 && rule.list.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
        break;
      case 'ip':
        if (family !== 0 && normalizeIp(host) === rule.ip && (rule.port === undefined || rule.port === port))
          return true;
        break;
      case 'domain':
        if (
          family === 0 &&
          (host === rule.domain || host.endsWith(`.${rule.domain}`)) &&
          (rule.port === undefined || rule.port === port)
        )
          return true;
        break;
    }
  }
  return false;
}

/** The proxy URL for one origin, or `undefined` to connect directly. */
export function proxyFor(
  target: ProxyTarget,
  environment: ProxyEnvironment,
  rules: readonly NoProxyRule[],
): string | undefined {
  const proxy = target.protocol === 'https:' ? environment.httpsProxy : environment.httpProxy;
  if (proxy === undefined || bypassesProxy(target, rules)) return undefined;
  return proxy;
}
