// One home for reading option objects: own properties only, unknown keys refused.

/**
 * The known keys of an options type, checked by the compiler against the type itself: a key
 * missing from the list, or one the type does not have, is a type error.
 * @example const KEYS = optionKeys<RetryOptions>()({ maxRetries: true, delayMs: true });
 */
export function optionKeys<T>(): <K extends Record<keyof Required<T>, true>>(
  keys: K & Record<Exclude<keyof K, keyof T>, never>,
) => ReadonlySet<string> {
  return (keys) => new Set(Object.keys(keys));
}

/**
 * Reads an options object through its own enumerable properties into a null-prototype copy, so
 * a polluted `Object.prototype` cannot add, change or remove an option. `undefined` reads as no
 * options. A key that is not in `known` is refused with an error naming it (a typo such as
 * `files` for `form`, or `header` for `headers`, never passes silently); so is a value that is
 * not an object.
 *
 * @param known the keys the options type has; `undefined` accepts any (a user's subclass may add options)
 * @param fail builds the error (`TypeError` by default; request options use `RequestBuildException`)
 */
export function readOptions<T extends object>(
  value: T | undefined,
  where: string,
  known: ReadonlySet<string> | undefined,
  fail: (message: string) => Error = (message) => new TypeError(message),
): T {
  const copy = nullRecord<unknown>();
  if (value === undefined) return copy as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(`${where}: expected an options object, got ${value === null ? 'null' : typeof value}`);
  }
  const unknown: string[] = [];
  for (const key of Object.keys(value)) {
    if (known === undefined || known.has(key)) copy[key] = (value as Record<string, unknown>)[key];
    else unknown.push(key);
  }
  if (unknown.length > 0) {
    const names = unknown.map((key) => `"${key.slice(0, 40)}"`).join(', ');
    throw fail(
      `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${names} (known: ${[...known!].join(', ')})`,
    );
  }
  return copy as T;
}

/**
 * An empty object without a prototype. Made with `setPrototypeOf` rather than
 * `Object.create(null)`: that makes a dictionary-mode object, which undici's header loop, a
 * spread and every lookup read several times slower (a spread of three headers: ~600 ns instead
 * of ~40 ns). A key such as `__proto__` is an own property like any other: nothing inherits it.
 */
function nullRecord<V>(): Record<string, V> {
  return Object.setPrototypeOf({}, null) as Record<string, V>;
}

/**
 * A null-prototype copy of a record's own enumerable entries (headers, params, form fields, a
 * parsed JSON object): reading a key that is not there gives `undefined`, never an inherited value.
 */
export function ownRecord<V>(value: Readonly<Record<string, V>> = {}): Record<string, V> {
  const copy = nullRecord<V>();
  for (const key of Object.keys(value)) copy[key] = value[key]!;
  return copy;
}

/**
 * An optional field of an internal options object, read only when it is the object's own: an
 * absent field reads as `undefined`, never as a value a polluted `Object.prototype` supplies.
 */
export function ownValue<T extends object, K extends keyof T>(object: T, key: K): T[K] | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
