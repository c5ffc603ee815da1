/**
 * Search across the registry: contract, channel, operation, message and field names and
 * descriptions of every live contract's latest version, each result linking to its place.
 * Matching is a case-insensitive substring test per word (all words must match): no
 * expression is built from the query. A version's index is built once and kept by
 * fingerprint (versions never change), in a cache bounded by entries and bytes; a schema is
 * walked like the message page draws it, within the same node budget, so every field result
 * lands on an anchor that the page has.
 */
import type { Contract } from '../contracts/model.js';
import { Layout, TREE_BUDGET, anchor, docsPath, propAnchor } from './pages.js';
import { resolve, type Schema } from './schema.js';
import { textAt } from './views.js';

export const SEARCH_CSS = `
ol.results{padding-left:1.2rem}ol.results li{margin:.5rem 0}
mark{background:var(--fg);color:var(--bg);padding:0 .1em;border-radius:2px}
`;

/** The longest query, in characters. */
export const MAX_QUERY = 200;
/** The most results a page lists. */
export const MAX_RESULTS = 100;

export type Kind = 'contract' | 'channel' | 'operation' | 'message' | 'field';

export interface Entry {
  kind: Kind;
  /** What it is called (a name, id or address). */
  name: string;
  description: string;
  /** Where it is, in words: contract / channel / message. */
  where: string;
  href: string;
}

/** A fragment as links write it: any character the browser would not keep is escaped (it decodes before it looks). */
const fragment = (id: string) => encodeURIComponent(id).replace(/%2F/g, '/');

/** Every searchable thing of one contract version. */
export function indexOf(name: string, contract: Contract, document: unknown): Entry[] {
  const base = docsPath(name, 'latest');
  const text = (pointer: string, ...fields: string[]) => fields.map((f) => textAt(document, pointer, f) ?? '').filter(Boolean).join(' ');
  const out: Entry[] = [{ kind: 'contract', name: `${name} ${contract.title}`, description: text('/info', 'description'), where: contract.title, href: base }];
  for (const op of contract.operations) {
    out.push({ kind: 'operation', name: op.id, description: text(op.pointer, 'summary', 'description'), where: `${name} / ${op.channel}`, href: `${base}#${anchor('operation', op.id)}` });
  }
  for (const ch of contract.channels) {
    out.push({ kind: 'channel', name: [ch.id, ch.address ?? ''].filter(Boolean).join(' '), description: text(ch.pointer, 'summary', 'description'), where: name, href: `${base}#${anchor('channel', ch.id)}` });
    for (const m of ch.messages) {
      const page = `${base}/channels/${encodeURIComponent(ch.id)}/messages/${encodeURIComponent(m.id)}`;
      const where = `${name} / ${ch.id} / ${m.id}`;
      out.push({ kind: 'message', name: [...new Set([m.id, m.name, m.title].filter((v): v is string => !!v))].join(' '), description: text(m.pointer, 'summary', 'description'), where: `${name} / ${ch.id}`, href: page });
      for (const part of ['headers', 'payload'] as const) {
        if (m[part] === undefined) continue;
        for (const f of fieldsOf(m[part] as Schema, part)) out.push({ kind: 'field', name: f.name, description: f.description, where: `${where} / ${part}`, href: `${page}#${fragment(f.id)}` });
      }
    }
  }
  return out;
}

/**
 * The named properties of a schema with their anchors, walked in the order and within the
 * budget of the message page's tree (pages.tsx SchemaNode): a local `$ref` is followed the
 * first time only, so a recursive schema ends.
 */
export function fieldsOf(root: Schema, part: 'payload' | 'headers'): Array<{ name: string; description: string; id: string }> {
  const out: Array<{ name: string; description: string; id: string }> = [];
  const drawn = new Set<string>();
  let left = TREE_BUDGET;
  const walk = (schema: Schema, path: string, name?: string): void => {
    if (--left < 0) return;
    const s = schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined;
    const description = typeof s?.description === 'string' ? s.description : '';
    if (name !== undefined) out.push({ name, description, id: propAnchor(part, path) });
    const ref = typeof s?.$ref === 'string' && s.$ref.startsWith('#') ? s.$ref : undefined;
    if (ref) {
      if (drawn.has(ref)) return;
      drawn.add(ref);
      const resolved = resolve(root, ref);
      if (resolved !== undefined) walk(resolved, `/ref${ref.slice(1)}`);
      return;
    }
    const properties = s?.properties && typeof s.properties === 'object' ? (s.properties as Record<string, Schema>) : {};
    for (const [k, v] of Object.entries(properties)) walk(v, `${path}/properties/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k);
    if (s?.items && typeof s.items === 'object') walk(s.items as Schema, `${path}/items`);
    if (s?.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, `${path}/additionalProperties`);
    for (const kw of ['oneOf', 'anyOf', 'allOf'] as const) if (Array.isArray(s?.[kw])) (s[kw] as Schema[]).forEach((alt, i) => walk(alt, `${path}/${kw}/${i}`));
  };
  walk(root, '');
  return out;
}

/** The query's words, lowercased, whitespace collapsed. */
export const words = (q: string) => q.trim().toLowerCase().split(/\s+/).filter(Boolean);

/** The entries every word matches, names before descriptions, exact names first; at most `limit`. */
export function search(entries: Iterable<Entry>, q: string, limit = MAX_RESULTS): { results: Entry[]; more: boolean } {
  const ws = words(q);
  if (ws.length === 0) return { results: [], more: false };
  const ranked: Array<{ e: Entry; rank: number }> = [];
  for (const e of entries) {
    const name = e.name.toLowerCase();
    const all = `${name} ${e.description.toLowerCase()} ${e.where.toLowerCase()}`;
    if (!ws.every((w) => all.includes(w))) continue;
    const rank = name === ws.join(' ') || name.split(' ').includes(ws.join(' ')) ? 0 : ws.every((w) => name.includes(w)) ? 1 : 2;
    ranked.push({ e, rank });
  }
  // Stable: within a rank, the registry's order (contract by name, then document order).
  ranked.sort((a, b) => a.rank - b.rank);
  return { results: ranked.slice(0, limit).map((r) => r.e), more: ranked.length > limit };
}

/** `text` with each occurrence of the query's words marked (case-insensitively), as JSX children. */
function Marked(props: { text: string; words: string[] }) {
  const lower = props.text.toLowerCase();
  const parts: Array<string | { mark: string }> = [];
  let at = 0;
  while (at < props.text.length) {
    let next = -1;
    let len = 0;
    for (const w of props.words) {
      const i = lower.indexOf(w, at);
      if (i >= 0 && (next < 0 || i < next)) [next, len] = [i, w.length];
    }
    if (next < 0) break;
    parts.push(props.text.slice(at, next), { mark: props.text.slice(next, next + len) });
    at = next + len;
  }
  parts.push(props.text.slice(at));
  return <>{parts.map((p) => (typeof p === 'string' ? p : <mark>{p.mark}</mark>))}</>;
}

/** A description shortened around its first match, so a long one does not fill the page. */
function excerpt(text: string, ws: string[]): string {
  if (text.length <= 240) return text;
  const lower = text.toLowerCase();
  const at = Math.max(0, Math.min(...ws.map((w) => lower.indexOf(w)).filter((i) => i >= 0), text.length) - 80);
  return `${at > 0 ? '…' : ''}${text.slice(at, at + 240)}…`;
}

export function SearchView(props: { q: string; results: Entry[]; more: boolean }) {
  const ws = words(props.q);
  return (
    <Layout title={props.q ? `Search: ${props.q}` : 'Search'}>
      <h1>Search</h1>
      <form class="search" method="get" action="/search" role="search">
        <label for="q">Search contracts, channels, operations, messages and fields</label>{' '}
        <input id="q" name="q" type="search" maxlength={MAX_QUERY} value={props.q} /> <button type="submit">Search</button>
      </form>
      {ws.length === 0 ? null : props.results.length === 0 ? (
        <p>Nothing matches “{props.q}”.</p>
      ) : (
        <>
          <p class="muted">{props.more ? `The first ${props.results.length} results; refine the query for the rest.` : `${props.results.length} result${props.results.length === 1 ? '' : 's'}.`}</p>
          <ol class="results">
            {props.results.map((r) => (
              <li>
                <span class="tag">{r.kind}</span>{' '}
                <a href={r.href}>
                  <Marked text={r.name} words={ws} />
                </a>{' '}
                <span class="muted">{r.where}</span>
                {r.description ? (
                  <div>
                    <Marked text={excerpt(r.description, ws)} words={ws} />
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </Layout>
  );
}
