/**
 * Nesting depth read from the text, before any parser builds a tree. Flow collections (`[`,
 * `{`) are what make deep nesting cheap to write, one byte a level: five mebibytes of `[`
 * cost js-yaml a stack overflow and the `yaml` package gigabytes. This scan stops at the
 * first level past the limit, in microseconds, before either parser is called. Block nesting
 * is bounded where the parsers run (js-yaml's `maxDepth`, the CST stack in text.ts): `- - - …`
 * is as dense, but a parser stopped at the limit has read a few hundred bytes of it. The
 * depth that aliases add is checked after parsing, before any data is made.
 */
import { Lexer } from 'yaml';
import { InvalidDocumentError } from '../errors.js';

/** The scan's answers: within the limit, or not JSON (read it as YAML); else the offset past the limit. */
const WITHIN = -1;
const NOT_JSON = -2;

/**
 * Throws `depth-limit` when flow collections nest deeper than `maxDepth` (counted as the
 * containers on one path: `[[]]` is 2). A text with no more `[` and `{` than the limit cannot,
 * so most documents pay two `indexOf` passes and nothing else. Exact for JSON; for YAML it
 * counts flow levels only (the block collections around them are the parsers' to count).
 */
export function checkFlowDepth(text: string, maxDepth: number): void {
  if (!moreFlowOpenersThan(text, maxDepth)) return;
  let at = startsLikeJson(text) ? jsonDepthExceeded(text, maxDepth) : NOT_JSON;
  if (at === NOT_JSON) at = yamlFlowDepthExceeded(text, maxDepth);
  if (at >= 0) throw depthLimitError(maxDepth, lineAndColumn(text, at));
}

/** `pointer` when the data's path is known (after parsing), else the text position, if any. */
export function depthLimitError(maxDepth: number, where: { line: number; column: number } | undefined, pointer?: string): InvalidDocumentError {
  const at = pointer !== undefined ? ` at ${pointer || '/'}` : where ? ` at line ${where.line}, column ${where.column}` : '';
  return new InvalidDocumentError(
    [{ rule: 'depth-limit', message: `Nesting deeper than the limit (${maxDepth}).`, pointer: pointer ?? '', ...where }],
    `The document nests deeper than ${maxDepth} levels${at}; raise HERALD_MAX_DEPTH if this is intended.`,
    'limit-exceeded',
  );
}

/** 1-based line and column of a string offset. Only on the error path: it counts line breaks. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** indexOf runs at memchr speed: twenty times a charCodeAt loop on a 25 kB document. */
function moreFlowOpenersThan(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['[', '{']) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) if (++count > limit) return true;
  }
  return false;
}

const startsLikeJson = (text: string) => /^[ \t\r\n]*[[{]/.test(text);

/** A JSON number or literal, where a value may start. */
const ATOM = /-?\d[\d.eE+-]*|true|false|null/y;

/**
 * Exact for JSON; for anything else (YAML that starts with `[` or `{`) it answers NOT_JSON
 * before it could miscount: a string starts only where JSON allows a value, so a `"` inside
 * a YAML plain scalar (`[a"b, [[…`) never hides brackets, and characters JSON does not have
 * (`'`, `#`, `&`, `*`, `!`, `|`, `?`, letters outside literals) end the scan.
 */
function jsonDepthExceeded(text: string, maxDepth: number): number {
  const closers: number[] = [];
  const strings = new StringSkipper(text);
  let valueMayStart = true;
  let afterString = false;
  let done = false;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (done) return NOT_JSON;
    if (c === 0x5b || c === 0x7b) {
      if (!valueMayStart) return NOT_JSON;
      if (closers.length === maxDepth) return i;
      closers.push(c + 2); // ']' and '}' are two code points after '[' and '{'
      afterString = false;
      i++;
    } else if (c === 0x5d || c === 0x7d) {
      if (closers.pop() !== c) return NOT_JSON;
      valueMayStart = afterString = false;
      done = closers.length === 0;
      i++;
    } else if (c === 0x2c || c === 0x3a) {
      if (c === 0x3a ? !afterString : valueMayStart) return NOT_JSON;
      valueMayStart = true;
      afterString = false;
      i++;
    } else if (c === 0x22) {
      if (!valueMayStart) return NOT_JSON;
      i = strings.end(i + 1);
      if (i < 0) return NOT_JSON;
      valueMayStart = false;
      afterString = true;
    } else {
      ATOM.lastIndex = i;
      if (!valueMayStart || !ATOM.test(text)) return NOT_JSON;
      i = ATOM.lastIndex;
      valueMayStart = afterString = false;
    }
  }
  return done ? WITHIN : NOT_JSON;
}

/**
 * Skips JSON strings with indexOf rather than character by character (most of a document's
 * bytes are in its strings). A string with a raw line break is not JSON: in YAML a `---` at
 * the start of the next line would end it, so the scan could not know where it ends.
 */
class StringSkipper {
  private lf = -2;
  private cr = -2;

  constructor(private readonly text: string) {}

  /** Offset after the closing quote of the string whose content starts at `from`; -1 when unclosed or not JSON. */
  end(from: number): number {
    const text = this.text;
    let quote = text.indexOf('"', from);
    while (quote !== -1) {
      let k = quote - 1;
      while (text.charCodeAt(k) === 0x5c) k--;
      if ((quote - 1 - k) % 2 === 0) break; // an even run of backslashes: the quote is not escaped
      quote = text.indexOf('"', quote + 1);
    }
    if (quote === -1) return -1;
    if (this.lf !== -1 && this.lf < from) this.lf = text.indexOf('\n', from);
    if (this.cr !== -1 && this.cr < from) this.cr = text.indexOf('\r', from);
    if ((this.lf !== -1 && this.lf < quote) || (this.cr !== -1 && this.cr < quote)) return -1;
    return quote + 1;
  }
}

/**
 * The `yaml` package's lexer knows quoted, plain and block scalars and comments, so only
 * real flow indicators come out as `[`, `{`, `]`, `}` tokens. It is a generator: the scan
 * stops at the first level past the limit, having read no further.
 */
function yamlFlowDepthExceeded(text: string, maxDepth: number): number {
  let level = 0;
  let offset = 0;
  let scalarSource = false;
  for (const token of new Lexer().lex(text)) {
    if (scalarSource) {
      // The source of a scalar follows the SCALAR control token: text, whatever it looks like.
      scalarSource = false;
    } else {
      switch (token) {
        case '\x1f': // SCALAR
          scalarSource = true;
          continue;
        case '\x02': // DOCUMENT
        case '\x18': // FLOW_END: a document marker ended unclosed flow collections
          level = 0;
          continue;
        case '[':
        case '{':
          if (++level > maxDepth) return offset;
          break;
        case ']':
        case '}':
          if (level > 0) level--;
          break;
      }
    }
    offset += token.length;
  }
  return WITHIN;
}
