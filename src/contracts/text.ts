/**
 * Text -> data, with explicit limits and source positions.
 *
 * YAML and JSON are both read as YAML 1.2 (JSON is its flow syntax), so both formats get
 * duplicate-key detection (the AsyncAPI parser rejects duplicate keys in either). The fast
 * path is js-yaml, ten times quicker than the `yaml` package; `yaml` (yaml-ast.ts) takes
 * over to report errors with positions, to locate diagnostics, and for documents that use
 * aliases, whose expansion it measures on its AST. It is slow and heavy per token, so it reads at most
 * MAX_YAML_TOKENS; past that js-yaml reads every document and its data is measured instead.
 *
 * Every limit is checked before the work it bounds:
 * - depth (HERALD_MAX_DEPTH): flow nesting from the text (depth.ts) before either parser
 *   runs; block nesting by js-yaml's `maxDepth` and by the CST stack as they parse; the
 *   depth aliases add, on the AST before any data is made, or on js-yaml's data.
 * - size (HERALD_MAX_DOCUMENT_BYTES): the document as compact JSON, aliases expanded, on the
 *   AST before any data is made; after js-yaml only where the text could reach the limit.
 * - aliases (HERALD_MAX_YAML_ALIASES): uses of one anchor, counted as data is made.
 * - the work of a broken document: the first MAX_REPORTED errors, then no more.
 */
import jsyaml from 'js-yaml';
import { InvalidDocumentError } from '../errors.js';
import { checkFlowDepth, depthLimitError } from './depth.js';
import { checkSize, mayOutgrow, measureData } from './json-size.js';
import { appendPointer } from './pointer.js';
import { DataBuilder, DocumentMeasure, readYaml, syntaxRule, yamlToJS, type YamlDocument } from './yaml-ast.js';

export type SourceFormat = 'yaml' | 'json';

export interface TextLimits {
  /**
   * Most uses of one YAML anchor (itself and its `*aliases`), as the `yaml` package counts
   * them. Its own conversion (YAML 1.1, collection keys) allows this many aliases in all; a
   * document too large for it (MAX_YAML_TOKENS) is bounded by maxDocumentBytes alone.
   */
  maxYamlAliases: number;
  /** Largest size of the document as data (compact JSON bytes), after YAML aliases are expanded. */
  maxDocumentBytes: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
}

export interface ParsedText {
  data: unknown;
  format: SourceFormat;
  /** Line and column (1-based) of the value at a JSON pointer, when it can be found. */
  locate(pointer: string): { line: number; column: number } | undefined;
}

/**
 * Anything that may be an alias (`*name` as a node). Documents with aliases take the path
 * that counts alias expansions: an aliased 4 MB string repeated a thousand times is small
 * as YAML and huge as JSON. Markdown such as `**bold**` matches too, which only costs time.
 */
const MAYBE_ALIAS = /(?:^|[\s[{,])\*[^\s\]},]/m;

export function parseText(text: string, format: SourceFormat, limits: TextLimits): ParsedText {
  checkFlowDepth(text, limits.maxDepth);
  if (format === 'json') assertJson(text);
  const mayAlias = MAYBE_ALIAS.test(text);
  if (mayAlias) {
    const parsed = parseWithPositions(text, format, limits);
    if (parsed) return parsed;
  }
  let data: unknown;
  try {
    // js-yaml counts up to two levels more than the data has (a scalar, a flow collection's
    // entry): at maxDepth + 2 it stops only a document past the limit, and never recurses far.
    const options = { schema: jsyaml.CORE_SCHEMA, maxDepth: limits.maxDepth + 2 };
    data = jsyaml.load(text, options);
  } catch (err) {
    if (!(err instanceof jsyaml.YAMLException)) throw err;
    const where = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : undefined;
    if (err.reason.startsWith('nesting exceeded')) throw depthLimitError(limits.maxDepth, where);
    // yaml reports errors better, and reads some documents js-yaml refuses (unknown tags).
    const parsed = mayAlias ? undefined : parseWithPositions(text, format, limits);
    if (parsed) return parsed;
    throw new InvalidDocumentError([{ rule: syntaxRule(format), message: err.reason, pointer: '', ...where }]);
  }
  // Objects reached twice are aliases that MAYBE_ALIAS missed or that yaml could not afford.
  const shared = checkDepth(data, limits.maxDepth);
  if (shared && !mayAlias) {
    const parsed = parseWithPositions(text, format, limits);
    if (parsed) return parsed;
  }
  if (shared || mayOutgrow(text, limits.maxDocumentBytes)) {
    const measured = measureData(data, shared);
    if (measured.depth > limits.maxDepth) throw depthLimitError(limits.maxDepth, undefined);
    checkSize(measured.bytes, limits.maxDocumentBytes);
  }
  let located: YamlDocument | undefined | null;
  return {
    data,
    format,
    locate(pointer) {
      if (located === undefined) {
        try {
          located = readYaml(text, format, limits.maxDepth) ?? null;
        } catch {
          located = null; // positions are a courtesy: a document js-yaml read but yaml refuses has none
        }
      }
      return located?.locate(pointer);
    },
  };
}

/**
 * The document through the `yaml` package: positions, alias expansion measured before any
 * data is made. Undefined when the document has more tokens than MAX_YAML_TOKENS.
 */
function parseWithPositions(text: string, format: SourceFormat, limits: TextLimits): ParsedText | undefined {
  const read = readYaml(text, format, limits.maxDepth);
  if (!read) return undefined;
  const { doc, position } = read;
  try {
    const measure = new DocumentMeasure(doc, position);
    const bytes = measure.bytes(doc.contents);
    if (measure.duplicateKeys.length > 0) {
      throw new InvalidDocumentError(
        measure.duplicateKeys.map((key) => ({ rule: syntaxRule(format), message: 'Map keys must be unique', pointer: '', ...position(key.range?.[0] ?? 0) })),
      );
    }
    if (measure.depth > limits.maxDepth) throw depthLimitError(limits.maxDepth, undefined, measure.pointerAtDepth(limits.maxDepth));
    checkSize(bytes, limits.maxDocumentBytes, measure.largestAlias);
    const data = measure.plain ? new DataBuilder(limits.maxYamlAliases).value(doc.contents) : yamlToJS(doc, measure.aliases, limits);
    return { data, format, locate: read.locate };
  } catch (err) {
    // The walks recurse as deep as the document nests: only a HERALD_MAX_DEPTH in the thousands gets here.
    throw err instanceof RangeError ? depthLimitError(limits.maxDepth, undefined) : err;
  }
}

/**
 * Checks the depth of nested containers, without recursion so a hostile document cannot
 * overflow the stack. Returns whether some object is reached twice (YAML aliases).
 */
function checkDepth(data: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number, string]> = [[data, 0, '']];
  const seen = new Set<object>();
  let shared = false;
  while (stack.length > 0) {
    const [value, depth, pointer] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (seen.has(value)) {
      shared = true;
      continue;
    }
    seen.add(value);
    if (depth >= maxDepth) throw depthLimitError(maxDepth, undefined, pointer);
    for (const [key, child] of Object.entries(value)) stack.push([child, depth + 1, appendPointer(pointer, key)]);
  }
  return shared;
}

/**
 * A body declared as JSON must be JSON: it is read as YAML (for duplicate keys and
 * positions), which would also take YAML, and then stored and served back as JSON.
 */
function assertJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    const offset = at ? Number(at[1]) : undefined;
    const where = offset === undefined ? {} : lineColumn(text, offset);
    throw new InvalidDocumentError([{ rule: 'json-syntax', message: `Not JSON: ${(err as Error).message}`, pointer: '', ...where }]);
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
