/**
 * Documents through the `yaml` package, bounded: the CST parser's stack is watched so that
 * the composer never sees a document nested past the limit, tokens and errors are capped, the
 * document's size and depth (aliases expanded) are measured on the syntax tree before any
 * data is made, and the data is built in one linear pass. text.ts decides when this path runs.
 */
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
import { depthLimitError, lineAndColumn } from './depth.js';
import { stringBytes, valueBytes } from './json-size.js';
import { appendPointer, parsePointer } from './pointer.js';
import type { SourceFormat, TextLimits } from './text.js';

/** Errors reported for one document: the first few are what an author needs, and each costs an Error. */
const MAX_REPORTED = 20;

/**
 * Most tokens the `yaml` package may read in one document. It needs about 300 bytes of memory
 * a token and slows as its heap grows: a 5 MiB flow sequence of numbers took it 22 s and
 * 1.6 GB. Past this (about 1 MB of YAML), js-yaml reads the document instead (its errors,
 * positions of diagnostics omitted, alias expansion measured on its data).
 */
export const MAX_YAML_TOKENS = 250_000;

export interface YamlDocument {
  doc: Document.Parsed;
  position(offset: number): { line: number; column: number };
  locate(pointer: string): { line: number; column: number } | undefined;
}

/** Parses with `yaml`, refusing syntax errors and nesting past the limit; undefined past MAX_YAML_TOKENS. */
export function readYaml(text: string, format: SourceFormat, maxDepth: number): YamlDocument | undefined {
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

export const syntaxRule = (format: SourceFormat) => (format === 'json' ? 'json-syntax' : 'yaml-syntax');

/**
 * yaml's own conversion, for what DataBuilder leaves to it (YAML 1.1 merge keys and types,
 * collection keys). It finds each alias's anchor by scanning every anchor and alias before
 * it, and counts some by visiting the whole document: quadratic, so it only gets documents
 * with few aliases in all.
 */
export function yamlToJS(doc: Document.Parsed, aliases: number, limits: TextLimits): unknown {
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
export class DataBuilder {
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
export class DocumentMeasure {
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

const firstLine = (s: string) => s.split('\n')[0] ?? s;
