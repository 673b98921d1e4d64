// Where a JSON text breaks, and why, without quoting any of it (a config file holds references
// to secrets, and a user may have pasted a secret by mistake). Node's own messages quote the input.

/** A JSON syntax error: 1-based line and column, and a short reason. */
export interface JsonSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

class Failure {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const LITERALS = ['true', 'false', 'null'];
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/;

/** A strict JSON scanner (RFC 8259) that only finds the first error. */
class Scanner {
  #at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  document(): void {
    this.#space();
    this.#value(0);
    this.#space();
    if (this.#at < this.#text.length)
      throw new Failure(this.#at, 'unexpected text after the end of the document');
  }

  #space(): void {
    while (WHITESPACE.has(this.#text[this.#at] ?? '')) this.#at++;
  }

  #expect(char: string, reason: string): void {
    if (this.#text[this.#at] !== char)
      throw new Failure(this.#at, this.#atEnd() ? 'unexpected end of file' : reason);
    this.#at++;
  }

  #atEnd(): boolean {
    return this.#at >= this.#text.length;
  }

  #value(depth: number): void {
    if (depth > 200) throw new Failure(this.#at, 'nested too deeply');
    const char = this.#text[this.#at];
    if (char === undefined) throw new Failure(this.#at, 'unexpected end of file: a value is missing');
    if (char === '{') this.#object(depth);
    else if (char === '[') this.#array(depth);
    else if (char === '"') this.#string();
    else this.#scalar(char);
  }

  #scalar(char: string): void {
    const literal = LITERALS.find((word) => this.#text.startsWith(word, this.#at));
    if (literal) {
      this.#at += literal.length;
      return;
    }
    const number = NUMBER.exec(this.#text.slice(this.#at, this.#at + 400));
    if (number) {
      this.#at += number[0].length;
      return;
    }
    if (char === "'") throw new Failure(this.#at, 'strings must use double quotes');
    throw new Failure(this.#at, 'expected a value (a string, number, object, array, true, false or null)');
  }

  #object(depth: number): void {
    this.#at++;
    this.#space();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return;
    }
    for (;;) {
      this.#space();
      if (this.#text[this.#at] === '}') throw new Failure(this.#at, 'trailing comma before }');
      if (this.#text[this.#at] !== '"')
        throw new Failure(
          this.#at,
          this.#atEnd() ? 'unexpected end of file' : 'expected a double-quoted property name',
        );
      this.#string();
      this.#space();
      this.#expect(':', "expected ':' after the property name");
      this.#space();
      this.#value(depth + 1);
      this.#space();
      if (this.#text[this.#at] === ',') {
        this.#at++;
        continue;
      }
      this.#expect('}', "expected ',' or '}' after the property value");
      return;
    }
  }

  #array(depth: number): void {
    this.#at++;
    this.#space();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return;
    }
    for (;;) {
      this.#space();
      if (this.#text[this.#at] === ']') throw new Failure(this.#at, 'trailing comma before ]');
      this.#value(depth + 1);
      this.#space();
      if (this.#text[this.#at] === ',') {
        this.#at++;
        continue;
      }
      this.#expect(']', "expected ',' or ']' after the array element");
      return;
    }
  }

  #string(): void {
    const start = this.#at;
    this.#at++;
    for (;;) {
      const char = this.#text[this.#at];
      if (char === undefined) throw new Failure(start, 'unterminated string');
      if (char === '"') {
        this.#at++;
        return;
      }
      if (char === '\n' || char.charCodeAt(0) < 0x20)
        throw new Failure(this.#at, 'control character or line break inside a string');
      if (char === '\\') {
        const next = this.#text[this.#at + 1] ?? '';
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.#text.slice(this.#at + 2, this.#at + 6)))
            throw new Failure(this.#at, 'invalid \\u escape in a string');
          this.#at += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(next) || next === '')
          throw new Failure(this.#at, 'invalid escape in a string');
        this.#at += 2;
        continue;
      }
      this.#at++;
    }
  }
}

/** Line and column (1-based) of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses JSON; on a syntax error returns where and why instead of throwing. */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      new Scanner(text).document();
    } catch (failure) {
      if (failure instanceof Failure)
        return { ok: false, error: { ...position(text, failure.at), reason: failure.reason } };
    }
    return { ok: false, error: { line: 1, column: 1, reason: 'not valid JSON' } };
  }
}
