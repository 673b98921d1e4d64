const HEX = /%([0-9a-fA-F]{2})/g;
const ENCODED_SEPARATOR = /%2F|%5C/gi;
/** Anything {@link routedPath} would change: an encoded or back slash, `//`, a dot segment. */
const ROUTING_CHANGES = /%2F|%5C|\\|\/\/|\/\.{1,2}(?:\/|$)/i;

function isUnreserved(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e // ~
  );
}

/**
 * The canonical form of a path for exclusion rules: percent-escapes of unreserved characters
 * decoded (`/h%65alth` → `/health`, `%2E` → `.`), the other escapes upper-cased (`%2f` → `%2F`).
 */
export function canonicalPath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(HEX, (_match, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return isUnreserved(code) ? String.fromCharCode(code) : `%${hex.toUpperCase()}`;
  });
}

/** Encoded and back slashes as `/`, as a decoding proxy passes them on. */
function withPlainSeparators(path: string): string {
  return path.replace(ENCODED_SEPARATOR, '/').replaceAll('\\', '/');
}

/**
 * The path a decoding proxy routes (nginx, Envoy with path normalisation), from a path whose
 * unreserved escapes are already decoded ({@link canonicalPath}): `%2F`, `%5C` and `\` become
 * `/`, runs of `/` merge, then `.` and `..` segments are resolved (RFC 3986 §5.2.4; a `..` at the
 * root stays at the root). So `/users/..%2Fpublic%2Fx` routes as `/public/x`. Escapes of other
 * characters are left alone: one decoding layer, as a proxy applies.
 */
export function routedPath(canonical: string): string {
  if (!ROUTING_CHANGES.test(canonical)) return canonical;
  const segments = withPlainSeparators(canonical).split('/');
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  const last = segments[segments.length - 1];
  const trailingSlash = out.length > 0 && (last === '' || last === '.' || last === '..');
  return `/${out.join('/')}${trailingSlash ? '/' : ''}`;
}

const NESTED_ESCAPE = /%25([0-9a-fA-F]{2})/g;
/** What a path no proxy or container would route differently has: shared, no array per call. */
const NO_VARIANTS: readonly string[] = Object.freeze([]);
const PATH_PARAMETERS = /;[^/]*/g;
/** Layers of `%25` decoded at most: a proxy chain deeper than this is not a deployment. */
const MAX_EXTRA_DECODING = 3;

/** `;parameters` dropped from every segment, as servlet containers route (`/a/..;x/b` → `/a/../b`). */
function withoutParameters(path: string): string {
  return path.includes(';') ? path.replace(PATH_PARAMETERS, '') : path;
}

/** The escapes of escapes decoded, layer by layer (`%252F` → `%2F`), each layer made canonical. */
function decodedFurther(canonical: string): string {
  let path = canonical;
  for (let layer = 0; layer < MAX_EXTRA_DECODING && path.includes('%25'); layer++) {
    path = canonicalPath(path.replace(NESTED_ESCAPE, '%$1'));
  }
  return path;
}

/**
 * Every other path a request may be routed as, from its canonical path: what a decoding proxy
 * routes ({@link routedPath}); what a servlet container (Tomcat, Jetty) routes, which drops each
 * segment's `;parameters`, so `/users/..;/admin` is `/admin` (before or after a proxy decodes the
 * separators); and what a chain that decodes more than once routes (`%252F` is `/` after two
 * layers), with and without the parameters. Empty when the path has nothing any of them would
 * change.
 */
export function routedVariants(canonical: string): readonly string[] {
  const plain = !ROUTING_CHANGES.test(canonical) && !canonical.includes(';') && !canonical.includes('%25');
  if (plain) return NO_VARIANTS;
  const variants = new Set<string>();
  for (const path of [canonical, decodedFurther(canonical)]) {
    variants.add(routedPath(path));
    if (path.includes(';')) {
      variants.add(routedPath(withoutParameters(path)));
      variants.add(routedPath(withoutParameters(withPlainSeparators(path))));
    }
  }
  variants.delete(canonical);
  return [...variants];
}
