/** A document file as the CLI commands read it: bundled (local $refs), then parsed, validated and modelled like the registry does. */
import type { InlineAnalyzer } from '../analysis/analyzer.js';
import type { IngestedDocument } from '../contracts/ingest.js';
import { InvalidDocumentError } from '../errors.js';
import { prepareDocument, type PreparedDocument } from './bundle.js';
import { CliError, EXIT } from './errors.js';

export interface Loaded {
  file: string;
  prepared: PreparedDocument;
  doc: IngestedDocument;
}

/** The document, or a one-line CliError (exit 2) naming the file, line and rule, as `herald register` reports. */
export async function load(analyzer: InlineAnalyzer, file: string, root: string | undefined): Promise<Loaded> {
  let prepared: PreparedDocument;
  try {
    prepared = await prepareDocument(file, { root });
  } catch (err) {
    // prepareDocument's errors are complete one-line messages naming the file.
    if (err instanceof CliError) throw err;
    throw new CliError(`${file}: ${(err as Error).message}`, EXIT.usage);
  }
  try {
    return { file, prepared, doc: await analyzer.ingest(prepared.text, prepared.format) };
  } catch (err) {
    throw invalid(err, `${file}${prepared.bundled ? ' (bundled)' : ''}`, file);
  }
}

/** An InvalidDocumentError as one line; anything else as it is. */
export function invalid(err: unknown, at: string, file: string): unknown {
  if (!(err instanceof InvalidDocumentError)) return err;
  const d = err.diagnostics[0]!;
  const where = d.line ? `${at}:${d.line}:${d.column ?? 1}` : file;
  return new CliError(`${where}: not a valid AsyncAPI document: ${d.message}${d.pointer ? ` at ${d.pointer}` : ''} [${d.rule}]`, EXIT.usage);
}
