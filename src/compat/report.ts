/**
 * A compatibility verdict as a report a CI log can be fixed from: what broke, where (file,
 * line and JSON pointer), why, and which direction the mode checked it in.
 */
import type { Direction } from './types.js';
import type { JudgedChange, Verdict } from './verdict.js';

export interface Source {
  /** How the report names the document: a file path, or "registered version 3". */
  label: string;
  locate?(pointer: string): { line: number; column: number } | undefined;
}

export interface ReportSources {
  candidate: Source;
  /** The earlier version a change was found against (by `against`; undefined for the latest). */
  earlier(against: number | undefined): Source;
}

function at(source: Source, pointer: string): string {
  const pos = source.locate?.(pointer);
  const where = pos ? `${source.label}:${pos.line}:${pos.column}` : source.label;
  return `${where} ${pointer || '/'}`;
}

/** The directions a change was checked in, and under AUTO why: who sends the message. */
function checkedAs(c: JudgedChange, auto: boolean): string {
  const has = (d: Direction) => c.checked.includes(d);
  if (c.checked.length === 0) return 'not checked';
  const how = has('BACKWARD') && has('FORWARD') ? 'FULL' : has('BACKWARD') ? 'BACKWARD' : 'FORWARD';
  if (!auto) return `checked ${how}`;
  if (!c.scope?.message) return `checked ${how}: a change to a channel or operation as a whole`;
  const role = how === 'FULL' ? 'both sent and received by the application (or by no operation)' : how === 'FORWARD' ? 'sent by the application' : 'received by the application';
  return `checked ${how}: ${c.scope.message} on ${c.scope.channel} is ${role}`;
}

function entry(c: JudgedChange, sources: ReportSources, auto: boolean): string[] {
  const breaks = c.breaks.length ? `breaks ${c.breaks.join(' and ')}` : 'breaks nothing';
  const lines = [`  ${c.breaking ? '✗' : '·'} ${c.kind} (${breaks}; ${checkedAs(c, auto)})`];
  lines.push(`      new: ${at(sources.candidate, c.newPath)}`);
  lines.push(`      old: ${at(sources.earlier(c.against), c.oldPath)}`);
  lines.push(`      ${c.message}`);
  if (c.occurrences) lines.push(`      (a shared schema: the same change is reached along ${c.occurrences} paths)`);
  if ('example' in c) lines.push(`      example: ${shown(c.example)}`);
  if (c.fix) lines.push(`      fix: ${c.fix}`);
  return lines;
}

/** Longest example shown, in characters of compact JSON. */
const EXAMPLE_CHARS = 200;

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS - 1)}…` : text;
};

export function renderText(v: Verdict, sources: ReportSources): string {
  const breaking = v.changes.filter((c) => c.breaking);
  const other = v.changes.filter((c) => !c.breaking);
  const verdict = v.compatible ? 'compatible' : 'INCOMPATIBLE';
  const lines = [
    `${sources.candidate.label} is ${verdict} with ${sources.earlier(undefined).label} under ${v.mode} (policy ${v.policy}): ` +
      `${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}, ${other.length} other${other.length === 1 ? '' : 's'}.`,
  ];
  if (v.truncated) lines.push(`Listing ${v.truncated.shown} of ${v.truncated.total} changes, breaking ones first (HERALD_MAX_REPORT_CHANGES).`);
  const auto = v.mode.startsWith('AUTO');
  if (breaking.length) lines.push('', 'Breaking:', ...breaking.flatMap((c) => entry(c, sources, auto)));
  if (other.length) lines.push('', `Not breaking under ${v.mode}:`, ...other.flatMap((c) => entry(c, sources, auto)));
  if (v.advice.length) lines.push('', 'Advice:', ...v.advice.map((a) => `  ${a}`));
  return lines.join('\n') + '\n';
}
