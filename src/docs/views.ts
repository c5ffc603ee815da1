/**
 * What the docs pages show, gathered from the registry's use cases: plain data, no HTML.
 * Descriptions, contact and tags are not part of the contract model; they are read from the
 * stored (normalized) document at the place the model points to.
 */
import type { Contract, Message } from '../contracts/model.js';
import { validExample } from './schema.js';
import type { Registry, VersionSelector, VersionSummary } from '../registry/registry.js';

export interface CatalogEntry {
  name: string;
  title: string;
  latestVersion: number;
  infoVersion: string;
  asyncapi: string;
  packageVersion?: string;
  owner?: string;
  tags: string[];
  channels: number;
  messages: number;
  changedAt: string;
}

export interface ContractPage {
  name: string;
  version: VersionSummary;
  versions: VersionSummary[];
  contract: Contract;
  document: Record<string, unknown>;
}

/** The value a JSON pointer names in a document, if any. */
export function at(document: unknown, pointer: string): unknown {
  let node = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A string field of the object a pointer names. */
export function textAt(document: unknown, pointer: string, field: string): string | undefined {
  const node = at(document, pointer);
  const value = node && typeof node === 'object' ? (node as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

const LIST_PAGE = 500;

/** Every live contract that has a live version, by name, with its latest version number (read a page at a time). */
export async function* liveContracts(registry: Registry): AsyncGenerator<{ name: string; latestVersion: number }> {
  for (let after: string | undefined, more = true; more; ) {
    const page = await registry.listContracts({ limit: LIST_PAGE, includeDeleted: false, ...(after ? { after } : {}) });
    for (const c of page.contracts) if (c.latestVersion !== null) yield { name: c.name, latestVersion: c.latestVersion };
    after = page.next ?? undefined;
    more = page.next !== null;
  }
}

/** Every live contract with its latest version, by name. */
export async function catalog(registry: Registry): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = [];
  for await (const c of liveContracts(registry)) {
    const [version, model] = await Promise.all([registry.getVersion(c.name, c.latestVersion, false), registry.model(c.name, c.latestVersion)]);
    const info = at(version.document, '/info') as Record<string, unknown> | undefined;
    const contact = info?.contact as Record<string, unknown> | undefined;
    const owner = [contact?.name, contact?.email].filter((v): v is string => typeof v === 'string').join(' · ');
    const tags = Array.isArray(info?.tags) ? info.tags.map((t) => (t && typeof t === 'object' ? (t as { name?: unknown }).name : undefined)).filter((n): n is string => typeof n === 'string') : [];
    out.push({
      name: c.name,
      title: model.contract.title,
      latestVersion: c.latestVersion,
      infoVersion: model.contract.version,
      asyncapi: model.contract.asyncapi,
      ...(version.package ? { packageVersion: version.package.version } : {}),
      ...(owner ? { owner } : {}),
      tags,
      channels: model.contract.channels.length,
      messages: model.contract.channels.reduce((n, ch) => n + ch.messages.length, 0),
      changedAt: version.createdAt,
    });
  }
  return out;
}

/** One version of a contract, with the list of its versions. */
export async function contractPage(registry: Registry, name: string, selector: VersionSelector, includeDeleted: boolean): Promise<ContractPage> {
  const version = await registry.getVersion(name, selector, includeDeleted);
  const [versions, model] = await Promise.all([registry.listVersions(name, includeDeleted), registry.model(name, version.version, includeDeleted)]);
  const { document, schemas: _schemas, contract: _name, ...summary } = version;
  return { name, version: summary, versions, contract: model.contract, document: document as Record<string, unknown> };
}

export interface MessageExample {
  name: string;
  generated: boolean;
  payload?: unknown;
  headers?: unknown;
}

/** A message's examples from the document, or one generated from its schemas when it has none. */
export function messageExamples(document: unknown, message: Message): MessageExample[] {
  const written = at(document, `${message.pointer}/examples`);
  if (Array.isArray(written) && written.length > 0) {
    return written.map((e, i) => {
      const o = e && typeof e === 'object' ? (e as Record<string, unknown>) : {};
      const name = typeof o.name === 'string' ? o.name : typeof o.summary === 'string' ? o.summary : `Example ${i + 1}`;
      return { name, generated: false, ...(o.payload !== undefined ? { payload: o.payload } : {}), ...(o.headers !== undefined ? { headers: o.headers } : {}) };
    });
  }
  // Only for JSON Schema payloads: another schema format is not ours to read.
  if (message.schemaFormat && !/json/i.test(message.schemaFormat)) return [];
  const headers = message.headers !== undefined ? validExample(message.headers) : undefined;
  const payload = message.payload !== undefined ? validExample(message.payload) : undefined;
  if (headers === undefined && payload === undefined) return [];
  return [{ name: 'Generated', generated: true, ...(headers !== undefined ? { headers } : {}), ...(payload !== undefined ? { payload } : {}) }];
}
