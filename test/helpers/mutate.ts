/**
 * Small structural mutations of an AsyncAPI document, for comparing Herald's verdict with
 * the AsyncAPI parser's on documents that are almost valid.
 */
export interface Mutation {
  kind: number;
  at: number;
  pick: number;
}

type Path = Array<string | number>;

function paths(node: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) paths(v, [...prefix, Array.isArray(node) ? Number(k) : k], out);
  }
  return out;
}

const get = (root: unknown, path: Path) => path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], root);
const escape = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
const VALUES: unknown[] = ['x', 1, 1.5, true, null, {}, [], { type: 'string' }, { $ref: '#/components/schemas/x' }, '#/channels/a', 'send', ['a']];

/** Applies one mutation in place: delete, replace, rename, copy from elsewhere, or retarget a $ref. */
export function mutate(doc: Record<string, unknown>, m: Mutation): void {
  const all = paths(doc).filter((p) => p.length > 0);
  const path = all[m.at % all.length]!;
  const parent = get(doc, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  switch (m.kind % 5) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 1:
      parent[key] = structuredClone(VALUES[m.pick % VALUES.length]);
      break;
    case 2:
      if (!Array.isArray(parent)) {
        parent[`${String(key)}X`] = parent[key];
        delete parent[key];
      }
      break;
    case 3: {
      const other = get(doc, all[m.pick % all.length]!);
      parent[key] = other === undefined ? null : JSON.parse(JSON.stringify(other));
      break;
    }
    default: {
      const refs = all.filter((p) => p[p.length - 1] === '$ref');
      if (refs.length === 0) break;
      const holder = get(doc, refs[m.pick % refs.length]!.slice(0, -1)) as Record<string, unknown>;
      holder.$ref = '#/' + all[m.at % all.length]!.map(escape).join('/');
    }
  }
}
