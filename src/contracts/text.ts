/**
 * Text -> data, with explicit limits and source positions.
 *
 * YAML and JSON are both read as YAML 1.2 (JSON is its flow syntax), so both formats get
 * duplicate-key detection (the AsyncAPI parser rejects duplicate keys in either). The fast
 * path is js-yaml, ten times quicker than the `yaml` package; `yaml` takes over to report
 * errors with positions, to locate diagnostics, and for documents that use aliases, whose
 * expansion it can bound.
 */
import jsyaml from 'js-yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InvalidDocumentError } from '../errors.js';
import { appendPointer, parsePointer } from './pointer.js';

export type SourceFormat = 'yaml' | 'json';

export interface TextLimits {
  /** Most alias (`*anchor`) expansions a YAML document may make. */
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
  if (MAYBE_ALIAS.test(text)) return parseWithPositions(text, format, limits);
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    return parseWithPositions(text, format, limits);
  }
  if (checkDepth(data, limits.maxDepth)) return parseWithPositions(text, format, limits);
  let located: ParsedText | undefined;
  return {
    data,
    format,
    locate(pointer) {
      located ??= parseWithPositions(text, format, limits);
      return located.locate(pointer);
    },
  };
}

function parseWithPositions(text: string, format: SourceFormat, limits: TextLimits): ParsedText {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  } catch (err) {
    throw depthOrRethrow(err, limits);
  }
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new InvalidDocumentError(
      doc.errors.map((e) => ({
        rule: format === 'json' ? 'json-syntax' : 'yaml-syntax',
        message: firstLine(e.message),
        pointer: '',
        ...position(e.pos[0]),
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new InvalidDocumentError(
        [{ rule: 'yaml-alias-limit', message: `The document expands YAML aliases more than the limit allows (${limits.maxYamlAliases}).`, pointer: '' }],
        `The document expands YAML aliases more than ${limits.maxYamlAliases} times; inline the repeated content or raise HERALD_MAX_YAML_ALIASES.`,
        'limit-exceeded',
      );
    }
    throw depthOrRethrow(err, limits);
  }
  checkDepth(data, limits.maxDepth);
  return {
    data,
    format,
    locate(pointer) {
      const node = nodeAt(doc, pointer);
      return node?.range ? position(node.range[0]) : undefined;
    },
  };
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
    if (depth >= maxDepth) {
      throw new InvalidDocumentError(
        [{ rule: 'depth-limit', message: `Nesting deeper than the limit (${maxDepth}).`, pointer }],
        `The document nests deeper than ${maxDepth} levels at ${pointer || '/'}; raise HERALD_MAX_DEPTH if this is intended.`,
        'limit-exceeded',
      );
    }
    for (const [key, child] of Object.entries(value)) stack.push([child, depth + 1, appendPointer(pointer, key)]);
  }
  return shared;
}

function depthOrRethrow(err: unknown, limits: TextLimits): unknown {
  if (err instanceof RangeError) {
    return new InvalidDocumentError(
      [{ rule: 'depth-limit', message: `Nesting deeper than the limit (${limits.maxDepth}).`, pointer: '' }],
      `The document nests too deeply to be read; the limit is ${limits.maxDepth} levels.`,
      'limit-exceeded',
    );
  }
  return err;
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;

