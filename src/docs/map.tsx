/**
 * The service map: across the registry, which contract sends and which receives on each
 * address (Kafka topic, AMQP exchange or queue, as the gateway routes the channel), drawn as
 * an SVG on the server: senders left, addresses in the middle, receivers right. Every node
 * links to its contract or channel; an address with senders but no receivers (or the
 * reverse) is flagged, in the drawing and in the table below it, which carries everything
 * the drawing does for a reader who cannot see it.
 */
import type { Contract } from '../contracts/model.js';
import { channelTargets, type Route } from '../gateway/routing.js';
import { Layout, anchor, docsPath } from './pages.js';

export const MAP_CSS = `
.map-box{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:var(--card)}
svg.map text{fill:var(--fg);font:12px ui-sans-serif,system-ui,sans-serif}
svg.map rect{fill:var(--bg);stroke:var(--line)}
svg.map a:focus rect,svg.map a:hover rect{stroke:var(--accent);stroke-width:2}
svg.map rect.flagged{stroke:var(--bad);stroke-dasharray:4 3}
svg.map path{fill:none;stroke:var(--muted);stroke-width:1.2}
svg.map text.kind{fill:var(--muted);font-size:10px}
`;

/** The most nodes the drawing holds; the table lists every address regardless. */
export const MAX_NODES = 2000;

export interface Address {
  /** Broker kind and name, e.g. `Kafka topic orders.placed.v1`. */
  key: string;
  kind: string;
  name: string;
  senders: string[];
  receivers: string[];
  /** The channel to link to: the first sender's (by name), else the first receiver's. */
  link: { contract: string; channel: string };
}

function addressOf(route: Route, fallback: string): { kind: string; name: string } {
  if (route.unroutable) return { kind: 'address', name: fallback };
  const t = route.target;
  if (t.broker === 'kafka') return { kind: 'Kafka topic', name: t.topic };
  if (t.is === 'queue') return { kind: 'AMQP queue', name: t.queue.name };
  return { kind: 'AMQP exchange', name: t.exchange.name ? `${t.exchange.name} / ${t.routingKey}` : t.routingKey };
}

/** Addresses of every contract given (name, version, model), with who sends and who receives on each, sorted by name. */
export function addresses(contracts: Array<{ name: string; version: number; contract: Contract }>): Address[] {
  const byKey = new Map<string, Address>();
  for (const { name, version, contract } of contracts) {
    const routes = new Map(channelTargets(name, version, contract).map((r) => [r.channel, r]));
    const use = (channelId: string, role: 'senders' | 'receivers') => {
      const channel = contract.channels.find((c) => c.id === channelId);
      const route = routes.get(channelId);
      if (!channel || !route) return;
      const { kind, name: addr } = addressOf(route, channel.address ?? channel.id);
      const key = `${kind} ${addr}`;
      const a = byKey.get(key) ?? { key, kind, name: addr, senders: [], receivers: [], link: { contract: name, channel: channel.id } };
      if (role === 'senders' && a.senders.length === 0) a.link = { contract: name, channel: channel.id };
      if (!a[role].includes(name)) a[role].push(name);
      byKey.set(key, a);
    };
    for (const op of contract.operations) {
      use(op.channel, op.action === 'send' ? 'senders' : 'receivers');
      // A reply travels the other way: the side that sends the request receives the reply.
      if (op.reply?.channel) use(op.reply.channel, op.action === 'send' ? 'receivers' : 'senders');
    }
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}

const ROW = 34;
const NODE_H = 26;
const COL = { sender: 10, address: 330, receiver: 690 };
const WIDTH = { contract: 220, address: 260 };
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** Addresses differ at the end as often as at the start (`….turn.on`, `….turn.off`): keep both. */
const clipMiddle = (text: string, max: number) => (text.length > max ? `${text.slice(0, Math.ceil(max / 2) - 1)}…${text.slice(text.length - Math.floor(max / 2))}` : text);
const contractHref = (name: string) => docsPath(name, 'latest');
const channelHref = (a: Address) => `${docsPath(a.link.contract, 'latest')}#${anchor('channel', a.link.channel)}`;
const flagOf = (a: Address) => (a.senders.length === 0 ? 'no sender' : a.receivers.length === 0 ? 'no receiver' : undefined);

function MapSvg(props: { shown: Address[] }) {
  const { shown } = props;
  const senders = [...new Set(shown.flatMap((a) => a.senders))].sort();
  const receivers = [...new Set(shown.flatMap((a) => a.receivers))].sort();
  const y = (i: number) => 40 + i * ROW;
  const rowOf = (list: string[]) => new Map(list.map((n, i) => [n, i]));
  const [sRow, rRow] = [rowOf(senders), rowOf(receivers)];
  const height = 50 + Math.max(senders.length, receivers.length, shown.length, 1) * ROW;
  const curve = (x1: number, y1: number, x2: number, y2: number) => `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`;
  const mid = NODE_H / 2;
  return (
    <svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 920 ${height}`} width="920" height={height} aria-labelledby="map-title map-desc">
      <title id="map-title">Service map</title>
      <desc id="map-desc">{`${senders.length} sending contracts on the left, ${shown.length} addresses in the middle, ${receivers.length} receiving contracts on the right; lines join a contract to each address it sends to or receives from.`}</desc>
      <text x={COL.sender} y="20">Sends</text>
      <text x={COL.address} y="20">Address</text>
      <text x={COL.receiver} y="20">Receives</text>
      {shown.map((a, i) => [
        ...a.senders.map((s) => <path d={curve(COL.sender + WIDTH.contract, y(sRow.get(s)!) + mid, COL.address, y(i) + mid)} />),
        ...a.receivers.map((r) => <path d={curve(COL.address + WIDTH.address, y(i) + mid, COL.receiver, y(rRow.get(r)!) + mid)} />),
      ])}
      {senders.map((n, i) => (
        <a href={contractHref(n)} aria-label={`${n}, sends`}>
          <title>{n}</title>
          <rect x={COL.sender} y={y(i)} width={WIDTH.contract} height={NODE_H} rx="5" />
          <text x={COL.sender + 8} y={y(i) + 17}>{clip(n, 32)}</text>
        </a>
      ))}
      {shown.map((a, i) => {
        const flag = flagOf(a);
        return (
          <a href={channelHref(a)} aria-label={`${a.kind} ${a.name}${flag ? `, ${flag}` : ''}`}>
            <title>{`${a.kind} ${a.name}${flag ? ` (${flag})` : ''}`}</title>
            <rect x={COL.address} y={y(i)} width={WIDTH.address} height={NODE_H} rx="5" class={flag ? 'flagged' : ''} />
            <text x={COL.address + 8} y={y(i) + 17}>{`${flag ? '⚠ ' : ''}${clipMiddle(a.name, flag ? 26 : 28)}`}</text>
            <text class="kind" x={COL.address + WIDTH.address - 6} y={y(i) + 17} text-anchor="end">
              {a.kind === 'Kafka topic' ? 'topic' : a.kind === 'AMQP queue' ? 'queue' : a.kind === 'AMQP exchange' ? 'exchange' : ''}
            </text>
          </a>
        );
      })}
      {receivers.map((n, i) => (
        <a href={contractHref(n)} aria-label={`${n}, receives`}>
          <title>{n}</title>
          <rect x={COL.receiver} y={y(i)} width={WIDTH.contract} height={NODE_H} rx="5" />
          <text x={COL.receiver + 8} y={y(i) + 17}>{clip(n, 32)}</text>
        </a>
      ))}
    </svg>
  );
}

const Names = (props: { names: string[] }) => (
  <>{props.names.length === 0 ? <span class="muted">none</span> : props.names.map((n, i) => [i > 0 ? ', ' : '', <a href={contractHref(n)}>{n}</a>])}</>
);

export function MapView(props: { addresses: Address[] }) {
  const all = props.addresses;
  // Each address draws itself and at most its contracts: stop before the drawing passes the cap.
  const shown: Address[] = [];
  const contracts = new Set<string>();
  for (const a of all) {
    const adds = [...a.senders, ...a.receivers].filter((n) => !contracts.has(n));
    if (shown.length + contracts.size + adds.length + 1 > MAX_NODES) break;
    adds.forEach((n) => contracts.add(n));
    shown.push(a);
  }
  const flagged = all.filter(flagOf);
  return (
    <Layout title="Service map">
      <p class="muted">
        <a href="/">Contracts</a> / service map
      </p>
      <h1>Service map</h1>
      {all.length === 0 ? (
        <p>No contract has an operation yet: there is nothing to draw.</p>
      ) : (
        <>
          <p class="muted">Who sends and who receives on each address, across the latest version of every contract. Addresses are worked out as the gateway routes the channel; ⚠ marks an address with senders but no receivers, or the reverse.</p>
          {shown.length < all.length ? <p class="muted">{`The drawing shows the first ${shown.length} of ${all.length} addresses (at most ${MAX_NODES} nodes); the table lists them all.`}</p> : null}
          <div class="map-box">
            <MapSvg shown={shown} />
          </div>
          <h2 id="flagged">Addresses with one side only</h2>
          {flagged.length === 0 ? (
            <p class="muted">None: every address has both senders and receivers.</p>
          ) : (
            <ul>
              {flagged.map((a) => (
                <li>
                  <a href={channelHref(a)}>{a.name}</a> <span class="muted">{a.kind}</span>: {a.senders.length === 0 ? 'received by ' : 'sent by '}
                  <Names names={a.senders.length === 0 ? a.receivers : a.senders} />, {a.senders.length === 0 ? 'but no contract sends to it' : 'but no contract receives from it'}
                </li>
              ))}
            </ul>
          )}
          <h2 id="addresses">Every address</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Kind</th>
                <th scope="col">Senders</th>
                <th scope="col">Receivers</th>
              </tr>
            </thead>
            <tbody>
              {all.map((a) => (
                <tr>
                  <td>
                    <a href={channelHref(a)}>{a.name}</a>
                    {flagOf(a) ? <span class="breaking">{` ⚠ ${flagOf(a)}`}</span> : null}
                  </td>
                  <td>{a.kind}</td>
                  <td>
                    <Names names={a.senders} />
                  </td>
                  <td>
                    <Names names={a.receivers} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
