/**
 * A contract's history (every version with the engine's verdict on it) and the diff between
 * any two versions: the engine's changes, and the two documents side by side with the
 * changed lines marked. The line diff is bounded (jsdiff's maxEditLength): past it, the page
 * keeps the engine's changes and says the side-by-side view was too large.
 */
import { diffLines } from 'diff';
import type { Contract } from '../contracts/model.js';
import type { DiffReport, VersionSummary } from '../registry/registry.js';
import { Layout, anchor, docsPath } from './pages.js';

export const HISTORY_CSS = `
table.sbs{display:table;overflow:visible;width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem}
.sbs-box{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table.sbs td{padding:0 .4rem;vertical-align:top;white-space:pre}
table.sbs td.ln{width:3.5rem;text-align:right;color:var(--muted);user-select:none}
table.sbs td.sign{width:1rem;user-select:none}
table.sbs th{padding:.2rem .4rem;font-size:.75rem;color:var(--muted);white-space:nowrap}
table.sbs td.removed{background:color-mix(in srgb,var(--bad) 18%,transparent)}
table.sbs td.added{background:color-mix(in srgb,var(--ok) 18%,transparent)}
table.changes code{overflow-wrap:anywhere}
@media (max-width:600px){table.changes thead{display:none}table.changes tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}table.changes td{display:block;border:0;padding:.1rem 0}table.changes td::before{content:attr(data-label) ": ";color:var(--muted)}}
form.pick{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
form.pick select{padding:.3rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
`;

/**
 * The line diff's budget. Its work grows with lines × edits, so a crafted pair of documents
 * (20 MB may be registered) could hold the server for seconds: past any of these bounds the
 * side-by-side view is not drawn. Together they keep the worst case near a quarter second.
 */
export const DIFF_MAX_EDITS = 1000;
/** Lines of the two documents together. */
export const DIFF_MAX_LINES = 20_000;
/** Characters of the two documents together: also bounds the page that shows them. */
export const DIFF_MAX_CHARS = 2_000_000;
/** A last guard for a pair that stays within the counts but is still slow to compare. */
const DIFF_TIMEOUT_MS = 250;

const historyPath = (name: string) => `/docs/${encodeURIComponent(name)}/history`;
/** With `deleted`, the diff page may name soft-deleted versions (without it they answer 404). */
export const diffPath = (name: string, from: number, to: number, deleted = false) => `/docs/${encodeURIComponent(name)}/diff?from=${from}&to=${to}${deleted ? '&deleted=true' : ''}`;
/** A version's page; a soft-deleted one is shown only with ?deleted=true. */
const versionPath = (name: string, version: number, deleted: boolean, rest = '') => `${docsPath(name, version)}${rest}${deleted ? '?deleted=true' : ''}`;

/** The package verdict in words: what the engine said of a version against the one before it. */
export function verdictWords(v: VersionSummary): { text: string; breaking: boolean } {
  const p = v.package;
  if (!p) return { text: 'not judged (registered before package versions)', breaking: false };
  const changes = `${p.changes ?? 0} change${p.changes === 1 ? '' : 's'}`;
  switch (p.bump) {
    case 'initial':
      return { text: 'first version', breaking: false };
    case 'patch':
      return { text: 'documentation only', breaking: false };
    case 'minor':
      return { text: `compatible: ${changes}, none breaking`, breaking: false };
    default:
      return p.breaking ? { text: `breaking: ${p.breaking} of ${changes} ${p.breaking === 1 ? 'breaks' : 'break'}`, breaking: true } : { text: `new major: ${p.summary}`, breaking: true };
  }
}

export function HistoryView(props: { name: string; title: string; versions: VersionSummary[]; includeDeleted: boolean }) {
  const { name, versions, includeDeleted } = props;
  const newest = [...versions].reverse();
  return (
    <Layout title={`History · ${props.title}`}>
      <p class="muted">
        <a href="/">Contracts</a> / <a href={docsPath(name, 'latest')}>{name}</a> / history
      </p>
      <h1>History of {props.title}</h1>
      <p class="muted">Every version, newest first, with the compatibility engine's verdict against the live version before it when it was registered, which also set its SDK package version.</p>
      <p>{includeDeleted ? <a href={historyPath(name)}>Hide deleted versions</a> : <a href={`${historyPath(name)}?deleted=true`}>Show deleted versions too</a>}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Registered</th>
            <th scope="col">By</th>
            <th scope="col">info.version</th>
            <th scope="col">Package</th>
            <th scope="col">Verdict</th>
            <th scope="col">Fingerprint</th>
            <th scope="col">Diff</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((v, i) => {
            const verdict = verdictWords(v);
            // The version listed before it: the live one, or with ?deleted=true any.
            const before = newest[i + 1];
            return (
              <tr id={`v${v.version}`}>
                <td>
                  <a href={versionPath(name, v.version, Boolean(v.deletedAt))}>{`v${v.version}`}</a>
                  {v.deletedAt ? <span class="muted"> (deleted)</span> : null}
                </td>
                <td>{v.createdAt.slice(0, 19).replace('T', ' ')}</td>
                <td>{v.registeredBy}</td>
                <td>{v.infoVersion}</td>
                <td>{v.package?.version ?? ''}</td>
                <td class={verdict.breaking ? 'breaking' : ''} title={v.package?.summary}>
                  {verdict.text}
                </td>
                <td>
                  <code title={v.fingerprint}>{v.fingerprint.slice(0, 12)}</code>
                </td>
                <td>{before ? <a href={diffPath(name, before.version, v.version, Boolean(v.deletedAt || before.deletedAt))}>{`v${before.version} → v${v.version}`}</a> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Layout>
  );
}

interface Row {
  left?: { n: number; text: string; removed: boolean };
  right?: { n: number; text: string; added: boolean };
}

/** The two texts line by line, removed lines beside the added ones that replace them; undefined when too large to work out. */
export function sideBySide(before: string, after: string): Row[] | undefined {
  const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  if (before.length + after.length > DIFF_MAX_CHARS || lines(before).length + lines(after).length > DIFF_MAX_LINES) return undefined;
  const parts = diffLines(before, after, { maxEditLength: DIFF_MAX_EDITS, timeout: DIFF_TIMEOUT_MS });
  if (!parts) return undefined;
  const rows: Row[] = [];
  let l = 0;
  let r = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      for (const text of lines(part.value)) rows.push({ left: { n: ++l, text, removed: false }, right: { n: ++r, text, added: false } });
      continue;
    }
    // A removal followed by an addition is a replacement: pair their lines up.
    const removed = part.removed ? lines(part.value) : [];
    const next = parts[i + 1];
    const added = part.added ? lines(part.value) : next?.added ? lines(next.value) : [];
    if (part.removed && next?.added) i++;
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      rows.push({
        ...(k < removed.length ? { left: { n: ++l, text: removed[k]!, removed: true } } : {}),
        ...(k < added.length ? { right: { n: ++r, text: added[k]!, added: true } } : {}),
      });
    }
  }
  return rows;
}

/** Where a change is, linked into the newer version's pages when that place exists there. */
function Location(props: { name: string; to: number; toDeleted: boolean; model: Contract; change: DiffReport['changes'][number] }) {
  const { change, model, name, to, toDeleted } = props;
  const scope = change.scope ?? {};
  const channel = scope.channel !== undefined ? model.channels.find((c) => c.id === scope.channel) : undefined;
  const message = channel && scope.message !== undefined ? channel.messages.find((m) => m.id === scope.message) : undefined;
  const where = [
    scope.channel !== undefined && `channel ${scope.channel}`,
    scope.operation !== undefined && `operation ${scope.operation}`,
    scope.message !== undefined && `${scope.reply ? 'reply ' : ''}message ${scope.message}`,
    scope.binding !== undefined && `${scope.binding} binding`,
  ]
    .filter(Boolean)
    .join(' · ');
  const href = message
    ? versionPath(name, to, toDeleted, `/channels/${encodeURIComponent(channel!.id)}/messages/${encodeURIComponent(message.id)}`)
    : channel
      ? `${versionPath(name, to, toDeleted)}#${anchor('channel', channel.id)}`
      : scope.operation !== undefined && model.operations.some((o) => o.id === scope.operation)
        ? `${versionPath(name, to, toDeleted)}#${anchor('operation', scope.operation)}`
        : undefined;
  return (
    <>
      {href ? <a href={href}>{where || 'the contract'}</a> : <span>{where || 'the contract'}</span>}
      <div class="muted">
        <code>{change.newPath || change.oldPath}</code>
      </div>
    </>
  );
}

/** A version picker of the diff form: every version listed, the deleted ones said so. */
function VersionSelect(props: { id: 'from' | 'to'; label: string; versions: VersionSummary[]; selected: number }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.versions.map((v) => (
          <option value={String(v.version)} selected={v.version === props.selected}>{`v${v.version}${v.deletedAt ? ' (deleted)' : ''}`}</option>
        ))}
      </select>
    </>
  );
}

export function DiffView(props: { name: string; title: string; versions: VersionSummary[]; includeDeleted: boolean; report: DiffReport; model: Contract; rows: Row[] | undefined }) {
  const { name, report, rows } = props;
  const toDeleted = Boolean(props.versions.find((v) => v.version === report.to)?.deletedAt);
  const breaking = report.changes.filter((c) => c.breaking).length;
  const total = report.truncated?.total ?? report.changes.length;
  return (
    <Layout title={`v${report.from} → v${report.to} · ${props.title}`}>
      <p class="muted">
        <a href="/">Contracts</a> / <a href={docsPath(name, 'latest')}>{name}</a> / <a href={historyPath(name)}>history</a> / diff
      </p>
      <h1>
        {props.title}: v{report.from} → v{report.to}
      </h1>
      <form class="pick card" method="get" action={`/docs/${encodeURIComponent(name)}/diff`}>
        <VersionSelect id="from" label="From" versions={props.versions} selected={report.from} />
        <VersionSelect id="to" label="To" versions={props.versions} selected={report.to} />
        {props.includeDeleted ? <input type="hidden" name="deleted" value="true" /> : null}
        <button type="submit">Compare</button>
      </form>
      <p class={report.compatible ? '' : 'breaking'}>
        <strong>{report.compatible ? 'Compatible' : 'Breaking'}</strong> under {report.mode}: {total} change{total === 1 ? '' : 's'}, {breaking === 0 ? 'none' : breaking} breaking.
      </p>
      {report.changes.length === 0 ? (
        <p class="muted">The engine finds no change of kind: any difference is documentation only.</p>
      ) : (
        // On a narrow screen each change is a card, its cells labelled by data-label.
        <table class="changes">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Where</th>
              <th scope="col">What</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {report.changes.map((change) => (
              <tr>
                <td data-label="Kind">
                  <code>{change.kind}</code>
                </td>
                <td data-label="Where">
                  <Location name={name} to={report.to} toDeleted={toDeleted} model={props.model} change={change} />
                </td>
                <td data-label="What">{change.message}</td>
                <td data-label="Verdict" class={change.breaking ? 'breaking' : ''}>
                  {change.breaking ? `breaking (${change.breaks.join(', ')})` : change.breaks.length ? `allowed under ${report.mode} (breaks ${change.breaks.join(', ')})` : 'compatible'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.truncated ? <p class="muted">{`Showing ${report.truncated.shown} of ${report.truncated.total} changes, breaking ones first.`}</p> : null}
      <h2 id="documents">The documents side by side</h2>
      {rows === undefined ? (
        <p class="muted">The side-by-side view is too large to work out for these two documents; the changes above are complete.</p>
      ) : (
        // Focusable, so that a keyboard can scroll it sideways.
        <div class="sbs-box" role="region" aria-label="The documents side by side" tabindex={0}>
          <table class="sbs">
            <caption class="muted">{`v${report.from} on the left, v${report.to} on the right; − marks a removed line, + an added one`}</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col" aria-label="Removed">−</th>
                <th scope="col">{`v${report.from}`}</th>
                <th scope="col">Line</th>
                <th scope="col" aria-label="Added">+</th>
                <th scope="col">{`v${report.to}`}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td class="ln">{row.left?.n ?? ''}</td>
                  <td class="sign">{row.left?.removed ? '−' : ''}</td>
                  <td class={row.left?.removed ? 'removed' : ''}>{row.left?.text ?? ''}</td>
                  <td class="ln">{row.right?.n ?? ''}</td>
                  <td class="sign">{row.right?.added ? '+' : ''}</td>
                  <td class={row.right?.added ? 'added' : ''}>{row.right?.text ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

/** The page for a contract with a single version: nothing to compare yet. */
export function NothingToCompare(props: { name: string; title: string; version: number }) {
  return (
    <Layout title={`Diff · ${props.title}`}>
      <p class="muted">
        <a href="/">Contracts</a> / <a href={docsPath(props.name, 'latest')}>{props.name}</a> / <a href={historyPath(props.name)}>history</a> / diff
      </p>
      <h1>{props.title}</h1>
      <p>Version {props.version} has no live version before it to compare with.</p>
    </Layout>
  );
}
