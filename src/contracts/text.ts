/**
 * Text -> data, with explicit limits and source positions.
 *
 * YAML and JSON are both read as YAML 1.2 (JSON is its flow syntax), so both formats get
 * duplicate-key detection (the AsyncAPI parser rejects duplicate keys in either). The fast
 * path is js-yaml, ten times quicker than the `yaml` package; `yaml` takes over to report
 * errors with positions, to locate diagnostics, and for documents that use aliases, whose
 * expansion it measures on its AST. It is slow and heavy per token, so it reads at most
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
import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  Scalar,
  YAMLMap,
  YAMLParseError,
  YAMLSeq,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import { InvalidDocumentError } from '../errors.js';
import { checkFlowDepth, depthLimitError, lineAndColumn } from './depth.js';
import { appendPointer, parsePointer } from './pointer.js';

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

/**
 * Most bytes of compact JSON one byte of alias-free YAML can become. The densest cases known:
 * `1e20` (4 bytes) is `100000000000000000000` (21) in JSON, and as a key of a flow map with
 * no values, `{1e20,2e20,…}`, each 5 bytes become 29 (`"100000000000000000000":null,`): 5.8.
 * Escapes (`"\0"`, 2 bytes, is `"\u0000"`, 6) triple at most, implicit nulls (`[~,~]`) are 2.5.
 * Below limit / 8 bytes, an alias-free text cannot reach the size limit and is not measured.
 */
export const MAX_EXPANSION = 8;

/** Errors reported for one document: the first few are what an author needs, and each costs an Error. */
const MAX_REPORTED = 20;

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
 * Most tokens the `yaml` package may read in one document. It needs about 300 bytes of memory
 * a token and slows as its heap grows: a 5 MiB flow sequence of numbers took it 22 s and
 * 1.6 GB. Past this (about 1 MB of YAML), js-yaml reads the document instead (its errors,
 * positions of diagnostics omitted, alias expansion measured on its data).
 */
const MAX_YAML_TOKENS = 250_000;

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

interface YamlDocument {
  doc: Document.Parsed;
  position(offset: number): { line: number; column: number };
  locate(pointer: string): { line: number; column: number } | undefined;
}

/** Parses with `yaml`, refusing syntax errors and nesting past the limit; undefined past MAX_YAML_TOKENS. */
function readYaml(text: string, format: SourceFormat, maxDepth: number): YamlDocument | undefined {
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let doc: Document.Parsed | undefined;
  try {
    doc = composeDocument(text, lineCounter, maxDepth);
  } catch (err) {
    throw err instanceof RangeError ? depthLimitError(maxDepth, undefined) : err;
  }
  if (!doc) return undefined;
  if (doc.errors.length > 0) {
    throw new InvalidDocumentError(doc.errors.map((e) => ({ rule: syntaxRule(format), message: firstLine(e.message), pointer: '', ...position(e.pos[0]) })));
  }
  const parsed = doc;
  return {
    doc,
    position,
    locate(pointer) {
      const node = nodeAt(parsed, pointer);
      return node?.range ? position(node.range[0]) : undefined;
    },
  };
}

const syntaxRule = (format: SourceFormat) => (format === 'json' ? 'json-syntax' : 'yaml-syntax');

/**
 * yaml's own conversion, for what DataBuilder leaves to it (YAML 1.1 merge keys and types,
 * collection keys). It finds each alias's anchor by scanning every anchor and alias before
 * it, and counts some by visiting the whole document: quadratic, so it only gets documents
 * with few aliases in all.
 */
function yamlToJS(doc: Document.Parsed, aliases: number, limits: TextLimits): unknown {
  try {
    if (aliases > limits.maxYamlAliases) throw new ReferenceError('alias count');
    return doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) throw aliasLimitError(limits.maxYamlAliases);
    throw err instanceof RangeError ? depthLimitError(limits.maxDepth, undefined) : err;
  }
}

function aliasLimitError(max: number): InvalidDocumentError {
  return new InvalidDocumentError(
    [{ rule: 'yaml-alias-limit', message: `The document expands YAML aliases more than the limit allows (${max}).`, pointer: '' }],
    `The document expands YAML aliases more than ${max} times; inline the repeated content or raise HERALD_MAX_YAML_ALIASES.`,
    'limit-exceeded',
  );
}

/**
 * The data of a document, as yaml's `toJS` makes it (an alias is the same object as its
 * anchor's, keys are strings), in one linear pass: anchors are looked up in a map, in
 * document order. Only for documents DocumentMeasure found plain: YAML 1.2 maps, sequences
 * and scalars, scalar or alias keys, no cycles, depth and size within the limits.
 */
class DataBuilder {
  private readonly anchors = new Map<string, Node>();
  private readonly values = new Map<Node, unknown>();
  /** As yaml counts: an anchor is used once by itself, then once per alias. */
  private readonly uses = new Map<Node, number>();

  constructor(private readonly maxAliases: number) {}

  value(node: unknown): unknown {
    if (isAlias(node)) {
      const target = this.anchors.get(node.source)!;
      const uses = (this.uses.get(target) ?? 1) + 1;
      if (uses > this.maxAliases) throw aliasLimitError(this.maxAliases);
      this.uses.set(target, uses);
      return this.values.get(target);
    }
    if (isScalar(node)) return this.anchored(node, node.value);
    if (isSeq(node)) {
      const seq = this.anchored(node, [] as unknown[]);
      for (const item of node.items) seq.push(isPair(item) ? this.addPair({}, item) : this.value(item));
      return seq;
    }
    if (isMap(node)) {
      const map = this.anchored(node, {} as Record<string, unknown>);
      for (const pair of node.items) this.addPair(map, pair);
      return map;
    }
    return null;
  }

  private anchored<T>(node: Node, value: T): T {
    if (node.anchor) {
      this.anchors.set(node.anchor, node);
      this.values.set(node, value);
    }
    return value;
  }

  private addPair(map: Record<string, unknown>, pair: { key: unknown; value: unknown }): Record<string, unknown> {
    const jsKey = this.value(pair.key);
    // An alias to a collection as a key is written as the alias: that is what yaml does.
    const key = jsKey === null || jsKey === undefined ? '' : typeof jsKey !== 'object' ? String(jsKey) : `*${(pair.key as Alias).source}`;
    const value = this.value(pair.value);
    if (key in map) Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
    else map[key] = value;
    return map;
  }
}

/**
 * `parseDocument`, with the CST parser's stack watched token by token: the composer, which
 * recurses, only ever sees a document that nests no deeper than the limit. Flow nesting was
 * counted before; this catches block nesting (`- - - …`, indentation, and the `a: a: a: …`
 * that is invalid YAML but that the CST parser nests all the same).
 */
function composeDocument(text: string, lineCounter: LineCounter, maxDepth: number): Document.Parsed | undefined {
  const parser = new Parser(lineCounter.addNewLine);
  // Unique keys are checked by DocumentMeasure: `yaml` compares each key with every earlier
  // one, and a map of 40,000 keys took it 32 s.
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, version: '1.2' });
  capErrors(composer);
  function* tokens() {
    lineCounter.addNewLine(0);
    let errors = 0;
    let lexemes = 0;
    for (const lexeme of new Lexer().lex(text)) {
      if (++lexemes > MAX_YAML_TOKENS) throw OVER_BUDGET;
      for (const token of parser.next(lexeme)) {
        yield token;
        // Enough to report: reading on would only make more errors (and Error objects).
        if (token.type === 'error' && ++errors >= MAX_REPORTED) return yield* parser.end();
      }
      if (parser.stack.length > maxDepth && collectionsOn(parser.stack) > maxDepth) {
        throw depthLimitError(maxDepth, lineAndColumn(text, Math.max(0, parser.offset - lexeme.length)));
      }
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  try {
    for (const next of composer.compose(tokens(), true, text.length)) {
      if (!doc) {
        doc = next;
      } else {
        doc.errors.push(new YAMLParseError(next.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
        break;
      }
    }
  } catch (err) {
    if (err === OVER_BUDGET) return undefined;
    throw err;
  }
  return doc;
}

/** Thrown through the composer to stop it: the CST so far is dropped uncomposed. */
const OVER_BUDGET = new Error('more tokens than MAX_YAML_TOKENS');

/**
 * `yaml` makes an Error, stack trace and all, for every error and warning; a 500 kB body of
 * stray `]` made 500,000 of them (9 s, 860 MB). Past the first few errors, and for warnings
 * (Herald reads none), the composer's error sink drops them. The sink is the composer's own
 * `onError` field, not public API: without it (another `yaml` version) nothing is capped.
 */
function capErrors(composer: Composer): void {
  type Sink = (source: unknown, code: string, message: string, warning?: boolean) => void;
  const target = composer as unknown as { onError?: Sink };
  const report = target.onError;
  if (typeof report !== 'function') return;
  let errors = 0;
  target.onError = (source, code, message, warning) => {
    if (!warning && errors++ < MAX_REPORTED) report(source, code, message, warning);
  };
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** The CST parser's stack is [document, collections…, a scalar being read]: its collections, in O(1). */
function collectionsOn(stack: ReadonlyArray<{ type: string }>): number {
  let n = stack.length;
  if (n > 0 && !COLLECTIONS.has(stack[0]!.type)) n--;
  if (n > 0 && !COLLECTIONS.has(stack[stack.length - 1]!.type)) n--;
  return n;
}

/**
 * Size of the document as compact JSON and depth of its data, both with aliases expanded,
 * read from the AST in one pass: each anchored node is measured once, where it is defined,
 * and an alias costs its target's size, so a billion laughs costs a few thousand additions.
 * An alias to a node that contains it is refused: its data would be infinite.
 */
class DocumentMeasure {
  /** Depth of the last node measured: 0 for a scalar. */
  depth = 0;
  /** Whether DataBuilder can make the data: YAML 1.2 nodes only, no collection keys. */
  plain: boolean;
  /** Alias nodes in the document. */
  aliases = 0;
  /** Keys equal to an earlier key of their map (as `yaml` compares them: scalar values), the first few. */
  readonly duplicateKeys: Node[] = [];
  /** The alias whose target is largest, to point the author at the expensive repetition. */
  largestAlias: { source: string; bytes: number; line: number; column: number } | undefined;
  private readonly anchors = new Map<string, Node>();
  private readonly anchoredBytes = new Map<Node, number>();
  private readonly depths = new Map<Node, number>();
  private readonly open = new Set<Node>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly position: (offset: number) => { line: number; column: number },
  ) {
    // A schema with merge keys is YAML 1.1 (`%YAML 1.1`), whose types DataBuilder does not make.
    this.plain = !doc.schema.tags.some((tag) => tag.tag === 'tag:yaml.org,2002:merge');
  }

  bytes(node: unknown): number {
    if (isAlias(node)) return this.alias(node);
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) {
      this.depth = 0;
      return 4; // an empty node is null
    }
    if (node.constructor !== Scalar && node.constructor !== YAMLMap && node.constructor !== YAMLSeq) this.plain = false;
    const anchor = node.anchor;
    if (anchor) {
      this.anchors.set(anchor, node);
      this.open.add(node);
    }
    let bytes: number;
    let depth = 0;
    if (isScalar(node)) {
      bytes = valueBytes(node.value);
    } else {
      bytes = 2 + Math.max(0, node.items.length - 1); // brackets and commas
      const keys = isMap(node) ? new Set<unknown>() : undefined;
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          if (keys && isScalar(item.key)) this.checkUnique(keys, item.key);
          // In a sequence, a pair (`[a: 1]`) is a map of one pair.
          const inSeq = isSeq(node);
          bytes += this.keyBytes(item.key) + 1 + this.bytes(item.value) + (inSeq ? 2 : 0);
          depth = Math.max(depth, this.depth + (inSeq ? 1 : 0));
        } else {
          bytes += this.bytes(item);
          depth = Math.max(depth, this.depth);
        }
      }
      depth += 1;
      this.depths.set(node, depth);
    }
    if (anchor) {
      this.open.delete(node);
      this.anchoredBytes.set(node, bytes);
    }
    this.depth = depth;
    return bytes;
  }

  private checkUnique(keys: Set<unknown>, key: Scalar): void {
    const value = key.value;
    if (keys.has(value) && !Number.isNaN(value)) {
      if (this.duplicateKeys.length < MAX_REPORTED) this.duplicateKeys.push(key);
    } else {
      keys.add(value);
    }
  }

  /** JSON pointer of the first container at `depth` (root at 0) on a deepest path. */
  pointerAtDepth(depth: number): string {
    let pointer = '';
    let node: unknown = this.doc.contents;
    for (let level = 0; level < depth; level++) {
      if (isAlias(node)) node = this.anchors.get(node.source);
      const want = (this.depths.get(node as Node) ?? 0) - 1;
      const items: unknown[] = isMap(node) || isSeq(node) ? node.items : [];
      const i = items.findIndex((item) => this.depthOf(isPair(item) ? item.value : item) >= want);
      if (i < 0) break;
      const item = items[i];
      pointer = appendPointer(pointer, isMap(node) && isPair(item) ? this.keyText(item.key) : String(i));
      node = isPair(item) ? item.value : item;
    }
    return pointer;
  }

  private keyText(key: unknown): string {
    if (!isAlias(key)) return keyString(key);
    const target = this.anchors.get(key.source);
    return isScalar(target) ? keyString(target) : `*${key.source}`;
  }

  private depthOf(node: unknown): number {
    if (isAlias(node)) node = this.anchors.get(node.source);
    return this.depths.get(node as Node) ?? 0;
  }

  private alias(alias: Alias): number {
    this.aliases++;
    // Anchors are registered in document order, so this is the last definition before the alias, as in `yaml`.
    const target = this.anchors.get(alias.source);
    const where = this.position(alias.range?.[0] ?? 0);
    if (target && this.open.has(target)) {
      throw new InvalidDocumentError(
        [{ rule: 'yaml-alias-cycle', message: `The alias *${alias.source} is inside the node it names, so its data would be infinite.`, pointer: '', ...where }],
      );
    }
    const bytes = target ? (this.anchoredBytes.get(target) ?? 4) : 4;
    this.depth = target ? (this.depths.get(target) ?? 0) : 0;
    if (!this.largestAlias || bytes > this.largestAlias.bytes) this.largestAlias = { source: alias.source, bytes, ...where };
    return bytes;
  }

  /** A key as `yaml`'s toJS makes it: the string of a scalar; a collection, written as flow YAML. */
  private keyBytes(key: unknown): number {
    if (isScalar(key) || key === null || key === undefined) {
      this.bytes(key);
      return stringBytes(keyString(key));
    }
    if (isAlias(key)) {
      this.alias(key);
      return stringBytes(this.keyText(key));
    }
    // A collection key: toJS writes it as flow YAML, aliases unexpanded. Measured (for its
    // anchors) but charged by its source span: the YAML rewrite and JSON escaping of it stay
    // within six times that.
    this.plain = false;
    this.bytes(key);
    const range = (key as Node).range;
    return range ? 6 * (range[1] - range[0]) + 16 : 16;
  }
}

/** The string toJS makes of a scalar key (or of no key). */
function keyString(key: unknown): string {
  if (!isScalar(key)) return key === null || key === undefined ? '' : '?';
  const value = key.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'symbol') return value.description ?? ''; // a YAML 1.1 merge key, <<
  if (typeof value !== 'object') return String(value);
  return JSON.stringify(value) ?? '';
}

function mayOutgrow(text: string, limit: number): boolean {
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  if (text.length * 3 * MAX_EXPANSION <= limit) return false;
  return Buffer.byteLength(text, 'utf8') * MAX_EXPANSION > limit;
}

function checkSize(bytes: number, limit: number, largest?: DocumentMeasure['largestAlias']): void {
  if (bytes <= limit) return;
  const hint = largest && largest.bytes > 0 ? ` The largest repeated node is *${largest.source} (${largest.bytes} bytes) at line ${largest.line}.` : '';
  throw new InvalidDocumentError(
    [
      {
        rule: 'document-size-limit',
        message: `The document is ${bytes} bytes as JSON, aliases expanded, more than the limit (${limit}).${hint}`,
        pointer: '',
        ...(largest ? { line: largest.line, column: largest.column } : {}),
      },
    ],
    `The document is ${describeBytes(bytes)} as JSON once its aliases are expanded, more than the limit of ${describeBytes(limit)} (HERALD_MAX_DOCUMENT_BYTES); repeat less content or raise the limit.`,
    'limit-exceeded',
  );
}

const describeBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB (${n} bytes)` : `${n} bytes`);

/** Compact JSON size of a scalar value, as JSON.stringify writes it after toJS. */
function valueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
      return String(value).length;
    case 'object':
      if (value === null) return 4;
      // YAML 1.1 !!binary: a Buffer, written as {"type":"Buffer","data":[…]} of 3 digits and a comma a byte at most.
      if (value instanceof Uint8Array) return 32 + 4 * value.length;
      return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
    default:
      return 4;
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** UTF-8 bytes of JSON.stringify(s), without building it. */
function stringBytes(s: string): number {
  let bytes = 2 + Buffer.byteLength(s, 'utf8');
  if (!NEEDS_ESCAPE.test(s)) return bytes;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) bytes += 1;
    else if (c < 0x20) bytes += 5; // \u00XX
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) bytes += 3; // a lone surrogate: \uXXXX, where UTF-8 counted 3
  }
  return bytes;
}

/**
 * Compact JSON size and depth of js-yaml's data, without recursion. A tree is walked once;
 * when objects are shared (aliases), each is measured once and counted wherever it is used
 * (post-order), so that repetition costs an addition and not a walk.
 */
function measureData(data: unknown, shared: boolean): { bytes: number; depth: number } {
  const measured = shared ? new Map<object, { bytes: number; depth: number }>() : undefined;
  const values: unknown[] = [data];
  const expanded: boolean[] = [false];
  const sizes: number[] = [];
  const depths: number[] = [];
  while (values.length > 0) {
    const value = values.pop();
    const done = expanded.pop();
    if (value === null || typeof value !== 'object' || value instanceof Date) {
      sizes.push(valueBytes(value));
      depths.push(0);
      continue;
    }
    const known = measured?.get(value);
    if (known) {
      sizes.push(known.bytes);
      depths.push(known.depth);
      continue;
    }
    const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
    if (!done) {
      values.push(value);
      expanded.push(true);
      for (const item of items) {
        values.push(item);
        expanded.push(false);
      }
      continue;
    }
    let bytes = 2 + Math.max(0, items.length - 1);
    let depth = 0;
    for (let i = 0; i < items.length; i++) {
      bytes += sizes.pop()!;
      depth = Math.max(depth, depths.pop()!);
    }
    if (!Array.isArray(value)) for (const key of Object.keys(value)) bytes += stringBytes(key) + 1;
    depth += 1;
    measured?.set(value, { bytes, depth });
    sizes.push(bytes);
    depths.push(depth);
  }
  return { bytes: sizes[0]!, depth: depths[0]! };
}

/** The YAML node a JSON pointer names, following aliases; undefined when absent. */
function nodeAt(doc: Document.Parsed, pointer: string): Node | undefined {
  let node: unknown = doc.contents;
  for (const segment of parsePointer(pointer)) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return undefined;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
    } else {
      return undefined;
    }
  }
  return node as Node | undefined;
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

const firstLine = (s: string) => s.split('\n')[0] ?? s;
