import { type CompiledGlob, compileGlob, globMatches } from './glob';
import { canonicalPath, routedVariants } from './path-normalization';

/** Rules for requests that must go out without credentials. */
export interface PathExclusionOptions {
  /**
   * Exact paths (relative to the base URL path, any query) sent without credentials.
   * @default []
   * @example ['/health', '/status']
   */
  readonly excludedPaths?: Iterable<string>;
  /**
   * Globs sent without credentials: `*` (and `**`) match any run of characters including `/`,
   * `?` one character.
   * @default []
   * @example ['/public/*', '*\/health']
   */
  readonly excludedPathPatterns?: Iterable<string>;
  /**
   * Compare paths case-insensitively (for case-insensitive backends such as Express' default router).
   * @default false
   */
  readonly caseInsensitivePaths?: boolean;
}

function toList(value: Iterable<string> | undefined, option: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string' || typeof (value as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${option} must be an iterable of strings (an array or a Set)`);
  }
  const list = [...value];
  for (const item of list) {
    if (typeof item !== 'string' || item === '')
      throw new TypeError(`${option} must contain non-empty strings`);
  }
  return list;
}

/**
 * Decides which request paths are excluded from authentication.
 *
 * The path is canonicalised (unreserved escapes decoded) and also tried as a decoding proxy
 * would route it (`%2F`, `%5C` → `/`, `//` merged, dot segments resolved after decoding, so
 * `/users/..%2Fpublic%2Fx` is tried as `/public/x`), as a servlet container would (each
 * segment's `;parameters` dropped: `/users/..;/public/x`) and as a chain that decodes twice would
 * (`%252F`): when any of them matches, no credentials are sent. An attacker can at worst strip
 * credentials from their own request, never add them to a public route.
 */
export class PathMatcher {
  readonly #exact: ReadonlySet<string>;
  readonly #globs: readonly CompiledGlob[];
  readonly #caseInsensitive: boolean;
  /** True when there are no rules at all (the fast path). */
  readonly isEmpty: boolean;

  constructor(options: PathExclusionOptions = {}) {
    const caseInsensitive = options.caseInsensitivePaths === true;
    const fold = (path: string) => (caseInsensitive ? path.toLowerCase() : path);
    const exact = new Set<string>();
    for (const path of toList(options.excludedPaths, 'excludedPaths')) {
      if (!path.startsWith('/')) throw new TypeError(`excludedPaths entries must start with "/": ${path}`);
      if (/[*?#]/.test(path)) {
        throw new TypeError(
          `excludedPaths entries are exact paths; put globs in excludedPathPatterns: ${path}`,
        );
      }
      exact.add(fold(canonicalPath(path)));
    }
    const globs: CompiledGlob[] = [];
    for (const pattern of toList(options.excludedPathPatterns, 'excludedPathPatterns')) {
      if (!pattern.startsWith('/') && !pattern.startsWith('*')) {
        throw new TypeError(`excludedPathPatterns entries must start with "/" or "*": ${pattern}`);
      }
      if (pattern.includes('#'))
        throw new TypeError(`excludedPathPatterns entries must not contain "#": ${pattern}`);
      globs.push(compileGlob(fold(canonicalPath(pattern))));
    }
    this.#exact = exact;
    this.#globs = globs;
    this.#caseInsensitive = caseInsensitive;
    this.isEmpty = exact.size === 0 && globs.length === 0;
  }

  /** True when a request to this path (relative to the base URL path, no query) must carry no credentials. */
  isExcluded(path: string): boolean {
    if (this.isEmpty) return false;
    let canonical = canonicalPath(path);
    if (this.#caseInsensitive) canonical = canonical.toLowerCase();
    if (this.#matches(canonical)) return true;
    for (const routed of routedVariants(canonical)) if (this.#matches(routed)) return true;
    return false;
  }

  #matches(path: string): boolean {
    if (this.#exact.has(path)) return true;
    for (const glob of this.#globs) if (globMatches(glob, path)) return true;
    return false;
  }
}
