/**
 * The docs pages, rendered on the server with hono/jsx: every value is escaped by the
 * renderer, and the only HTML taken as it is comes from markdown.ts, which emits no raw HTML
 * of a document's. Pages work without JavaScript.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Channel, Message, Operation } from '../contracts/model.js';
import type { Outcome } from '../gateway/metrics.js';
import { markdown } from './markdown.js';
import { resolve, rules, typeOf, type Schema } from './schema.js';
import { at, textAt, type CatalogEntry, type ContractPage } from './views.js';

/** Anchors from ids, never counters: a link to a channel survives a re-render and a new version. */
export const anchor = (kind: 'channel' | 'operation' | 'message', ...ids: string[]) => `${kind}-${ids.map(encodeURIComponent).join('.')}`;

export const docsPath = (name: string, version: number | 'latest') => `/docs/${encodeURIComponent(name)}/${version}`;

/** Every page's frame: head, stylesheet, the top bar. */
export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Herald`}</title>
        <link rel="stylesheet" href="/docs/assets/herald.css" />
        {/* No icon: without this the browser asks for /favicon.ico on every page. */}
        <link rel="icon" href="data:," />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            Herald
          </a>
          <a href="/">Contracts</a>
          <a href="/reference">API</a>
          <a href="/login">Sign in</a>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function Markdown(props: { text: string | undefined }) {
  return props.text ? <div class="md">{raw(markdown(props.text))}</div> : null;
}

export function CatalogView(props: { entries: CatalogEntry[] }) {
  return (
    <Layout title="Contracts">
      <h1>Contracts</h1>
      <form class="search" method="get" action="/search" role="search">
        <label for="q">Search contracts, channels, operations, messages and fields</label>{' '}
        <input id="q" name="q" type="search" maxlength={200} /> <button type="submit">Search</button>
      </form>
      <p class="muted">
        <a href="/docs/map">Service map</a>: who sends and who receives on each topic, exchange and queue.
      </p>
      {props.entries.length === 0 ? (
        <p class="muted">No contracts yet. Register one: POST /v1/contracts/{'{name}'}/versions.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Contract</th>
              <th>Latest</th>
              <th>AsyncAPI</th>
              <th>Owner</th>
              <th>Channels</th>
              <th>Messages</th>
              <th>Changed</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((e) => (
              <tr>
                <td>
                  <a href={docsPath(e.name, 'latest')}>{e.title}</a>
                  <div class="muted">
                    <code>{e.name}</code> {e.tags.map((t) => <span class="tag">{t}</span>)}
                  </div>
                </td>
                <td>
                  {`v${e.latestVersion}`} <span class="muted">({e.infoVersion}{e.packageVersion ? `, package ${e.packageVersion}` : ''})</span>
                </td>
                <td>{e.asyncapi}</td>
                <td>{e.owner ?? <span class="muted">—</span>}</td>
                <td>{e.channels}</td>
                <td>{e.messages}</td>
                <td>{e.changedAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

function bindingSummary(channel: Channel): string[] {
  const out: string[] = [];
  const kafka = channel.bindings.kafka;
  if (kafka) out.push(['Kafka', kafka.topic !== undefined && `topic ${String(kafka.topic)}`, kafka.partitions !== undefined && `${String(kafka.partitions)} partitions`, kafka.replicas !== undefined && `${String(kafka.replicas)} replicas`].filter(Boolean).join(', '));
  const amqp = channel.bindings.amqp as { is?: unknown; exchange?: { name?: unknown; type?: unknown }; queue?: { name?: unknown } } | undefined;
  if (amqp) out.push(amqp.is === 'queue' ? `AMQP queue ${String(amqp.queue?.name ?? channel.address ?? channel.id)}` : `AMQP exchange ${String(amqp.exchange?.name ?? '(default)')} (${String(amqp.exchange?.type ?? 'topic')})`);
  return out;
}

function OperationItem(props: { op: Operation }) {
  const { op } = props;
  return (
    <li id={anchor('operation', op.id)}>
      <a href={`#${anchor('operation', op.id)}`}>
        <code>{op.id}</code>
      </a>{' '}
      on <a href={`#${anchor('channel', op.channel)}`}>{op.channel}</a>: {op.messages.map((m, i) => [i > 0 ? ', ' : '', <a href={`#${anchor('message', op.channel, m)}`}>{m}</a>])}
      {op.reply ? <span class="muted"> · replies on {op.reply.channel ?? op.reply.addressLocation ?? 'a dynamic address'}</span> : null}
    </li>
  );
}

/** The document's security schemes, as declared: shown for readers, never used by Herald to connect anywhere. */
function SecuritySchemes(props: { document: unknown }) {
  const schemes = at(props.document, '/components/securitySchemes');
  const entries = schemes && typeof schemes === 'object' && !Array.isArray(schemes) ? Object.entries(schemes as Record<string, unknown>) : [];
  const field = (o: Record<string, unknown>, k: string) => (typeof o[k] === 'string' ? `${k} ${o[k] as string}` : undefined);
  return (
    <>
      <h2 id="security">Security schemes</h2>
      {entries.length === 0 ? (
        <p class="muted">None declared.</p>
      ) : (
        <table>
          <tbody>
            {entries.map(([name, value]) => {
              const o = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
              const flows = o.flows && typeof o.flows === 'object' ? Object.keys(o.flows as object) : [];
              const details = [field(o, 'in'), field(o, 'name'), field(o, 'scheme'), field(o, 'bearerFormat'), field(o, 'openIdConnectUrl'), flows.length ? `flows ${flows.join(', ')}` : undefined].filter(Boolean).join(' · ');
              return (
                <tr id={`security-${encodeURIComponent(name)}`}>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td>{typeof o.type === 'string' ? o.type : typeof o.$ref === 'string' ? o.$ref : ''}</td>
                  <td>
                    {details ? <span class="muted">{details}</span> : null}
                    <Markdown text={typeof o.description === 'string' ? o.description : undefined} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

/** What the SDK and gateway panel needs beyond the page: the package name and this process's gateway. */
export interface UseInfo {
  /** npm package name of the contract's SDK, in the configured scope. */
  packageName: string;
  /** Brokers the gateway can route to; none means it routes nothing. */
  brokers: string[];
  /** Messages this process's gateway handled for the contract, by channel and outcome. */
  counts: Map<string, Partial<Record<Outcome, number>>>;
}

const OUTCOMES: { key: Outcome; label: string }[] = [
  { key: 'routed', label: 'routed' },
  { key: 'dead_lettered', label: 'dead-lettered' },
  { key: 'rejected', label: 'rejected' },
  { key: 'failed', label: 'failed' },
  { key: 'unknown', label: 'outcome unknown' },
];

/** How to use this version: its SDK package, the gateway, and the gateway's traffic. */
function UsePanel(props: { page: ContractPage; origin: string; use: UseInfo; firstSend: Operation | undefined }) {
  const { page, use, firstSend } = props;
  const scope = use.packageName.split('/')[0];
  const channels = [...use.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  return (
    <section class="card" id="use" aria-labelledby="use-title">
      <h2 id="use-title">SDK and gateway</h2>
      {page.version.package ? (
        <>
          <p>
            The TypeScript SDK of this version is package <code>{`${use.packageName}@${page.version.package.version}`}</code> ({page.version.package.summary}).
          </p>
          <pre>
            <code>{`echo "${scope}:registry=${props.origin}/npm/" >> .npmrc\nnpm install ${use.packageName}@${page.version.package.version}`}</code>
          </pre>
        </>
      ) : null}
      <pre>
        <code>{`npx herald generate --contract ${page.name} --version ${page.version.version} --out generated/${page.name}`}</code>
      </pre>
      {firstSend ? (
        <pre>
          <code>{`curl -X POST ${props.origin}/v1/publish/${encodeURIComponent(page.name)}/${encodeURIComponent(firstSend.channel)} -H 'Content-Type: application/json' -d @message.json`}</code>
        </pre>
      ) : null}
      <h3>Gateway traffic</h3>
      {use.brokers.length === 0 ? (
        <p class="muted">This Herald has no broker configured (HERALD_KAFKA_BROKERS, HERALD_AMQP_URL): its gateway routes nothing.</p>
      ) : channels.length === 0 ? (
        <p class="muted">No message for this contract since this Herald started.</p>
      ) : (
        <table>
          <caption class="muted">Messages for this contract since this Herald process started, all versions (from its metrics)</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              {OUTCOMES.map((o) => (
                <th scope="col">{o.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {channels.map(([channel, counts]) => (
              <tr>
                <td>
                  <code>{channel}</code>
                </td>
                {OUTCOMES.map((o) => (
                  <td>{counts[o.key] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ContractView(props: { page: ContractPage; origin: string; use: UseInfo }) {
  const { page } = props;
  const c = page.contract;
  const doc = page.document;
  const sends = c.operations.filter((o) => o.action === 'send');
  const receives = c.operations.filter((o) => o.action === 'receive');
  const firstSend = sends[0];
  return (
    <Layout title={c.title}>
      <p class="muted">
        <a href="/">Contracts</a> / <code>{page.name}</code>
      </p>
      <h1>
        {c.title} <span class="muted">{c.version}</span>
      </h1>
      <p class="muted">
        Version {page.version.version} of {page.versions.length} · AsyncAPI {c.asyncapi} · registered {page.version.createdAt.slice(0, 10)} by {page.version.registeredBy}
        {page.version.deletedAt ? ' · deleted' : ''}
      </p>
      <nav class="card" aria-label="Versions">
        <a href={`/docs/${encodeURIComponent(page.name)}/history`}>History and diffs</a> · Versions:{' '}
        {page.versions.map((v) => [
          ' ',
          v.version === page.version.version ? <strong>{`v${v.version}`}</strong> : <a href={docsPath(page.name, v.version)}>{`v${v.version}`}</a>,
        ])}
      </nav>
      <Markdown text={textAt(doc, '/info', 'description')} />
      <UsePanel page={page} origin={props.origin} use={props.use} firstSend={firstSend} />
      <h2 id="servers">Servers</h2>
      {c.servers.length === 0 ? (
        <p class="muted">None declared.</p>
      ) : (
        <table>
          <tbody>
            {c.servers.map((s) => (
              <tr>
                <td>
                  <code>{s.id}</code>
                </td>
                <td>{s.protocol}</td>
                <td>
                  <code>{s.host}</code> <span class="muted">(shown, never contacted)</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="operations">Operations</h2>
      <h3 class="send">What the service sends</h3>
      {sends.length ? <ul>{sends.map((op) => <OperationItem op={op} />)}</ul> : <p class="muted">Nothing.</p>}
      <h3 class="receive">What the service receives</h3>
      {receives.length ? <ul>{receives.map((op) => <OperationItem op={op} />)}</ul> : <p class="muted">Nothing.</p>}
      <SecuritySchemes document={doc} />
      <h2 id="channels">Channels</h2>
      {c.channels.map((ch) => (
        <section class="card" id={anchor('channel', ch.id)}>
          <h3>
            <a href={`#${anchor('channel', ch.id)}`}>{ch.id}</a> <span class="muted">{ch.address ?? ''}</span>
          </h3>
          <Markdown text={textAt(doc, ch.pointer, 'description')} />
          {bindingSummary(ch).map((b) => (
            <p class="muted">{b}</p>
          ))}
          {ch.parameters.length ? (
            <p>
              Parameters: {ch.parameters.map((p, i) => [i > 0 ? ', ' : '', <code>{p.name}</code>])}
            </p>
          ) : null}
          <ul>
            {ch.messages.map((m) => (
              <li id={anchor('message', ch.id, m.id)}>
                <a href={`${docsPath(page.name, page.version.version)}/channels/${encodeURIComponent(ch.id)}/messages/${encodeURIComponent(m.id)}`}>{m.title ?? m.name ?? m.id}</a> <span class="muted">{m.contentType ?? ''}</span>
                <Markdown text={textAt(doc, m.pointer, 'description')} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}

/** The most schema nodes one tree draws: a huge schema ends with a note, never a page that does not end. */
export const TREE_BUDGET = 3000;

interface TreeState {
  root: Schema;
  part: 'payload' | 'headers';
  /** Local `$ref`s already drawn: drawn once, linked after. */
  drawn: Set<string>;
  left: number;
}

/** A property's anchor on the message page: its part and its path in the tree (search links to it). */
export const propAnchor = (part: string, path: string) => `${part}${path}`;

function SchemaNode(props: { name?: string; required?: boolean; schema: Schema; path: string; state: TreeState }): Child {
  const { schema, path, state } = props;
  if (--state.left < 0) return state.left === -1 ? <li class="muted">… the schema goes on; it is too large to draw in full here.</li> : null;
  const s = schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined;
  const ref = typeof s?.$ref === 'string' && s.$ref.startsWith('#') ? s.$ref : undefined;
  const id = propAnchor(state.part, path);
  const head = (
    <span>
      {props.name !== undefined ? (
        <a href={`#${id}`}>
          <code>{props.name}</code>
        </a>
      ) : null}{' '}
      <span class="muted">{ref ? 'see' : typeOf(schema)}</span>
      {props.required ? <strong> required</strong> : null}
      {rules(schema).map((r) => (
        <span class="tag">{r}</span>
      ))}
    </span>
  );
  if (ref) {
    const target = propAnchor(state.part, `/ref${ref.slice(1)}`);
    if (state.drawn.has(ref)) {
      return (
        <li id={id}>
          {head} <a href={`#${target}`}>{ref}</a> (above)
        </li>
      );
    }
    state.drawn.add(ref);
    const resolved = resolve(state.root, ref);
    return (
      <li id={id}>
        {head} <code>{ref}</code>
        <ul id={target}>{resolved === undefined ? <li class="muted">unresolved</li> : <SchemaNode schema={resolved} path={`/ref${ref.slice(1)}`} state={state} />}</ul>
      </li>
    );
  }
  const children: Child[] = [];
  const properties = s?.properties && typeof s.properties === 'object' ? (s.properties as Record<string, Schema>) : {};
  const required = Array.isArray(s?.required) ? (s.required as unknown[]).map(String) : [];
  for (const [k, v] of Object.entries(properties)) children.push(<SchemaNode name={k} required={required.includes(k)} schema={v} path={`${path}/properties/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`} state={state} />);
  if (s?.items && typeof s.items === 'object') children.push(<SchemaNode name="[item]" schema={s.items as Schema} path={`${path}/items`} state={state} />);
  if (s?.additionalProperties && typeof s.additionalProperties === 'object') children.push(<SchemaNode name="[any other key]" schema={s.additionalProperties as Schema} path={`${path}/additionalProperties`} state={state} />);
  for (const kw of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (!Array.isArray(s?.[kw])) continue;
    const label = kw === 'allOf' ? 'all of' : kw === 'oneOf' ? 'exactly one of' : 'any of';
    children.push(
      <li>
        <em>{label}:</em>
        <ol>{(s[kw] as Schema[]).map((alt, i) => <SchemaNode schema={alt} path={`${path}/${kw}/${i}`} state={state} />)}</ol>
      </li>,
    );
  }
  const description = typeof s?.description === 'string' ? s.description : undefined;
  return (
    <li id={id}>
      {head}
      <Markdown text={description} />
      {children.length ? <ul>{children}</ul> : null}
    </li>
  );
}

export function SchemaTree(props: { schema: Schema; part: 'payload' | 'headers' }) {
  const state: TreeState = { root: props.schema, part: props.part, drawn: new Set(), left: TREE_BUDGET };
  return (
    <ul class="tree">
      <SchemaNode schema={props.schema} path="" state={state} />
    </ul>
  );
}

export function MessageView(props: { page: ContractPage; channel: Channel; message: Message; examples: { name: string; generated: boolean; payload?: unknown; headers?: unknown }[] }) {
  const { page, channel, message } = props;
  const base = docsPath(page.name, page.version.version);
  return (
    <Layout title={`${message.title ?? message.name ?? message.id} · ${page.contract.title}`}>
      <p class="muted">
        <a href="/">Contracts</a> / <a href={base}>{page.name}</a> / <a href={`${base}#${anchor('channel', channel.id)}`}>{channel.id}</a>
      </p>
      <h1>{message.title ?? message.name ?? message.id}</h1>
      <p class="muted">
        Message <code>{message.id}</code> on <code>{channel.address ?? channel.id}</code>
        {message.contentType ? ` · ${message.contentType}` : ''} · version {page.version.version}
      </p>
      <Markdown text={textAt(page.document, message.pointer, 'description')} />
      {(['headers', 'payload'] as const).map((part) =>
        message[part] === undefined ? null : (
          <section>
            <h2 id={part}>{part === 'payload' ? 'Payload' : 'Headers'}</h2>
            {message.schemaFormat ? <p class="muted">Schema format {message.schemaFormat}: shown as written.</p> : null}
            <SchemaTree schema={message[part] as Schema} part={part} />
          </section>
        ),
      )}
      <h2 id="examples">Examples</h2>
      {props.examples.length === 0 ? <p class="muted">The document gives none, and none could be generated that the schema accepts.</p> : null}
      {props.examples.map((e) => (
        <section class="card">
          <h3>{e.generated ? 'Generated from the schema (the document gives none)' : e.name}</h3>
          {(['headers', 'payload'] as const).map((part) =>
            e[part] === undefined ? null : (
              <>
                <p class="muted">{part === 'payload' ? 'Payload' : 'Headers'}</p>
                <pre><code>{JSON.stringify(e[part], null, 2)}</code></pre>
              </>
            ),
          )}
        </section>
      ))}
    </Layout>
  );
}

/** The login form for browsers: a token pasted once, kept in an HttpOnly cookie, never in a URL. */
export function LoginView(props: { next: string; reason?: string; open?: boolean }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in with a token</h1>
      {props.open ? <p>This Herald has no admin token: every page is open, and no sign-in is needed.</p> : null}
      {props.reason ? <p class="breaking" role="alert">{props.reason}</p> : null}
      <p class="muted">Paste a Herald token with the read scope (or higher). It is kept in a cookie for this browser session, sent only to this Herald's pages, and never shown in an address.</p>
      <form class="login" method="post" action="/login">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required maxlength={512} />
        <input type="hidden" name="next" value={props.next} />
        <button type="submit">Sign in</button>
      </form>
      <form method="post" action="/logout">
        <button type="submit">Sign out</button>
      </form>
    </Layout>
  );
}
