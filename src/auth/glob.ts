/**
 * fnmatch-style globs for URL paths: `*` (and `**`) match any run of characters including `/`,
 * `?` matches one character, everything else is literal. Matching is linear in the path for a
 * fixed pattern: the pattern is split at its stars and each literal piece is matched at its
 * leftmost possible place, which is optimal for star-separated pieces, so nothing backtracks.
 */
export interface CompiledGlob {
  readonly source: string;
  /** Literal pieces between runs of `*` (may contain `?`). */
  readonly pieces: readonly string[];
  /** True when the pattern has at least one `*`. */
  readonly hasStar: boolean;
}

export function compileGlob(pattern: string): CompiledGlob {
  const pieces = pattern.split(/\*+/);
  return { source: pattern, pieces, hasStar: pieces.length > 1 };
}

function pieceMatchesAt(piece: string, text: string, at: number): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i);
    if (p !== 63 /* ? */ && p !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

function findPiece(piece: string, text: string, from: number, limit: number): number {
  if (!piece.includes('?')) {
    const at = text.indexOf(piece, from);
    return at !== -1 && at <= limit ? at : -1;
  }
  for (let at = from; at <= limit; at++) if (pieceMatchesAt(piece, text, at)) return at;
  return -1;
}

/** True when the whole `text` matches the compiled glob. */
export function globMatches(glob: CompiledGlob, text: string): boolean {
  const { pieces } = glob;
  const first = pieces[0]!;
  if (!glob.hasStar) return first.length === text.length && pieceMatchesAt(first, text, 0);
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!pieceMatchesAt(first, text, 0)) return false;
  const end = text.length - last.length;
  if (!pieceMatchesAt(last, text, end)) return false;
  let pos = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    const at = findPiece(piece, text, pos, end - piece.length);
    if (at === -1) return false;
    pos = at + piece.length;
  }
  return pos <= end;
}
