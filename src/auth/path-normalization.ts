const HEX = /%([0-9a-fA-F]{2})/g;

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
 * decoded (`/h%65alth` → `/health`), the other escapes upper-cased (`%2f` → `%2F`).
 */
export function canonicalPath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(HEX, (_match, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return isUnreserved(code) ? String.fromCharCode(code) : `%${hex.toUpperCase()}`;
  });
}

/**
 * The variant a decoding proxy or a slash-merging server may route on: `%2F` and `%5C` decoded
 * to `/`, runs of `/` collapsed. Applied on top of {@link canonicalPath}.
 */
export function aggressivePath(canonical: string): string {
  return canonical.replace(/%2F|%5C/g, '/').replace(/\/{2,}/g, '/');
}
