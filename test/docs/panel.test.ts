/**
 * The SDK and gateway panel of a contract page: the package to install (in the configured npm
 * scope, at the version's package version), and the gateway's message counts per channel and
 * outcome, read from its metrics after real publishes to RabbitMQ.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { AMQP_URL, bindQueue, drainQueue, runPrefix } from '../helpers/brokers.js';

const run = runPrefix();
const NAME = `payments-${run}`;
const CHANNEL = `${run}.payments.requested`;
let api: TestApp;
let bare: TestApp;

beforeAll(async () => {
  api = await testApp('pglite', { npmScope: '@acme', gateway: { amqpUrl: AMQP_URL, publishTimeoutMs: 10_000 } });
  bare = await testApp('pglite');
  const text = readFileSync('specs/payments.yaml', 'utf8').replace(/\bpayments\.(requested|settled|refunds)\b/g, `${run}.payments.$1`).replace(/name: payments$/gm, `name: ${run}-payments`);
  for (const app of [api, bare]) expect((await app.request('POST', `/v1/contracts/${NAME}/versions`, { body: text, contentType: 'application/yaml' })).status).toBe(201);
  const provisioned = await api.request('POST', `/v1/contracts/${NAME}/provision`);
  expect([provisioned.status, provisioned.json?.detail]).toEqual([200, undefined]);
}, 120_000);
afterAll(async () => {
  await api?.cleanup();
  await bare?.cleanup();
});

const panel = async (app: TestApp) => {
  const html = await (await app.app.request(`/docs/${NAME}/latest`)).text();
  return html.slice(html.indexOf('<section class="card" id="use"'), html.indexOf('</section>', html.indexOf('id="use"')));
};

it('shows the SDK package in the configured scope at the version\'s package version, and how to generate it', async () => {
  const html = await panel(api);
  expect(html).toContain(`@acme/${NAME}@1.0.0`);
  expect(html).toContain('@acme:registry=http://localhost/npm/');
  expect(html).toContain(`npx herald generate --contract ${NAME} --version 1`);
});

it('says when the gateway has no broker, and otherwise counts the messages it handled per channel and outcome', async () => {
  expect(await panel(bare)).toContain('no broker configured');
  expect(await panel(api)).toContain('No message for this contract since this Herald started.');
  const send = (body: unknown) => api.request('POST', `/v1/publish/${NAME}/${CHANNEL}`, { body: JSON.stringify(body), contentType: 'application/json', headers: { 'Herald-Headers': JSON.stringify({ 'correlation-id': randomUUID() }) } });
  const good = { paymentId: 'p-1', orderId: randomUUID(), amount: { currency: 'EUR', minorUnits: 100 } };
  // The payment service's queue, so that the exchange has somewhere to route to.
  await bindQueue(`${run}-payments`, CHANNEL, `${CHANNEL}.mine`);
  expect((await send(good)).status).toBe(202);
  expect((await send({ ...good, paymentId: 'p-2' })).status).toBe(202);
  // Breaks the contract: dead-lettered (422 naming the DLQ), and counted so.
  const broken = await send({ paymentId: 'p-3' });
  expect([broken.status, broken.json.dlq]).toEqual([422, `rabbitmq:queue/${CHANNEL}.dlq`]);
  expect((await drainQueue(`${CHANNEL}.mine`)).length).toBe(2);
  const html = await panel(api);
  const row = html.slice(html.indexOf(`<code>${CHANNEL}</code>`));
  expect(row.slice(0, row.indexOf('</tr>'))).toMatch(new RegExp(`<code>${CHANNEL.replace(/\./g, '\\.')}</code></td><td>2</td><td>1</td><td>0</td><td>0</td><td>0</td>`));
});
