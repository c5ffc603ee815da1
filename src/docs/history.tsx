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
table.sbs td.removed{background:color-mix(in srgb,var(--bad) 18%,transparent)}
table.sbs td.added{background:color-mix(in srgb,var(--ok) 18%,transparent)}
form.pick{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
form.pick select{padding:.3rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
`;

/** Edits the line diff may explore before it gives up (a crafted pair of documents can make it quadratic). */
export const DIFF_MAX_EDITS = 2000;
/** Lines of the two documents together past which the side-by-side view is not drawn. */
export const DIFF_MAX_LINES = 20_000;

const historyPath = (name: string) => `/docs/${encodeURIComponent(name)}/history`;
export const diffPath = (name: string, from: number, to: number) => `/docs/${encodeURIComponent(name)}/diff?from=${from}&to=${to}`;

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
      return p.breaking ? { text: `breaking: ${p.breaking} of ${changes} break`, breaking: true } : { text: p.summary, breaking: true };
  }
}

export function HistoryView(props: { name: string; title: string; versions: VersionSummary[] }) {
  const { name, versions } = props;
  const live = versions.filter((v) => !v.deletedAt);
  const newest = [...versions].reverse();
  return (
    <Layout title={`History · ${props.title}`}>
      <p class="muted">
        <a href="/">Contracts</a> / <a href={docsPath(name, 'latest')}>{name}</a> / history
      </p>
      <h1>History of {props.title}</h1>
      <p class="muted">Every version, newest first, with the compatibility engine's verdict against the live version before it, which also set its SDK package version.</p>
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
          {newest.map((v) => {
            const verdict = verdictWords(v);
            const before = live.filter((o) => o.version < v.version).at(-1);
            return (
              <tr id={`v${v.version}`}>
                <td>
                  <a href={docsPath(name, v.version)}>{`v${v.version}`}</a>
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
                <td>{before ? <a href={diffPath(name, before.version, v.version)}>{`v${before.version} → v${v.version}`}</a> : null}</td>
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
  if (lines(before).length + lines(after).length > DIFF_MAX_LINES) return undefined;
  const parts = diffLines(before, after, { maxEditLength: DIFF_MAX_EDITS });
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
function Location(props: { name: string; to: number; model: Contract; change: DiffReport['changes'][number] }) {
  const { change, model, name, to } = props;
  const scope = change.scope ?? {};
  const channel = scope.channel !== undefined ? model.channels.find((c) => c.id === scope.channel) : undefined;
  const message = channel && scope.message !== undefined ? channel.messages.find((m) => m.id === scope.message) : undefined;
  const where = [scope.channel && `channel ${scope.channel}`, scope.message && `message ${scope.message}`, scope.operation && `operation ${scope.operation}`].filter(Boolean).join(' · ');
  const href = message
    ? `${docsPath(name, to)}/channels/${encodeURIComponent(channel!.id)}/messages/${encodeURIComponent(message.id)}`
    : channel
      ? `${docsPath(name, to)}#${anchor('channel', channel.id)}`
      : scope.operation !== undefined && model.operations.some((o) => o.id === scope.operation)
        ? `${docsPath(name, to)}#${anchor('operation', scope.operation)}`
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

export function DiffView(props: { name: string; title: string; versions: VersionSummary[]; report: DiffReport; model: Contract; rows: Row[] | undefined }) {
  const { name, report, rows } = props;
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
        <label for="from">From</label>
        <select id="from" name="from">
          {props.versions.map((v) => (
            <option value={String(v.version)} selected={v.version === report.from}>{`v${v.version}`}</option>
          ))}
        </select>
        <label for="to">To</label>
        <select id="to" name="to">
          {props.versions.map((v) => (
            <option value={String(v.version)} selected={v.version === report.to}>{`v${v.version}`}</option>
          ))}
        </select>
        <button type="submit">Compare</button>
      </form>
      <p class={report.compatible ? '' : 'breaking'}>
        <strong>{report.compatible ? 'Compatible' : 'Breaking'}</strong> under {report.mode}: {total} change{total === 1 ? '' : 's'}, {breaking === 0 ? 'none' : breaking} breaking.
      </p>
      {report.changes.length === 0 ? (
        <p class="muted">The engine finds no change of kind: any difference is documentation only.</p>
      ) : (
        <table>
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
                <td>
                  <code>{change.kind}</code>
                </td>
                <td>
                  <Location name={name} to={report.to} model={props.model} change={change} />
                </td>
                <td>{change.message}</td>
                <td class={change.breaking ? 'breaking' : ''}>{change.breaking ? 'breaking' : 'compatible'}</td>
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
