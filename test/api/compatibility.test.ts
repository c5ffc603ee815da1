/** Compatibility through the API: registration refuses, checks report, diffs list. Both drivers. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.js';
import { DRIVERS } from '../helpers/storage.js';
import { nestedAnyOf, refFanOut } from '../helpers/attacks.js';

const orders = readFileSync('specs/orders.yaml', 'utf8');
const movedTopic = orders.replace('topic: orders.placed.v1', 'topic: orders.placed.v2').replace('version: 1.4.0', 'version: 1.5.0');
const optionalAdded = orders.replace('        couponCode: { type: string }', '        couponCode: { type: string }\n        giftWrap: { type: boolean }').replace('version: 1.4.0', 'version: 1.4.1');

describe.each(DRIVERS)('compatibility API on %s', (driver) => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp(driver);
    expect((await api.request('POST', '/v1/contracts/orders/versions', { body: orders })).status).toBe(201);
  });
  afterAll(async () => api.cleanup());

  it('refuses an incompatible version with 409 problem+json carrying the changes, and stores nothing', async () => {
    const res = await api.request('POST', '/v1/contracts/orders/versions', { body: movedTopic });
    expect(res.status).toBe(409);
    expect(res.headers.get('Content-Type')).toBe('application/problem+json');
    expect(res.json).toMatchObject({ type: 'urn:herald:problem:conflict', mode: 'AUTO', policy: 'lenient', compatible: false });
    expect(res.json.changes).toContainEqual(expect.objectContaining({ kind: 'KAFKA_TOPIC_CHANGED', breaks: ['BACKWARD', 'FORWARD'], breaking: true, newPath: '/channels/orderPlaced/bindings/kafka/topic' }));
    expect(res.json.detail).toContain('KAFKA_TOPIC_CHANGED');
    expect(res.json.advice[0]).toContain('major bump');
    expect((await api.request('GET', '/v1/contracts/orders/versions')).json.versions).toHaveLength(1);
  });

  it('registers a compatible change under the default AUTO and lenient', async () => {
    const res = await api.request('POST', '/v1/contracts/orders/versions', { body: optionalAdded });
    expect([res.status, res.json.version]).toEqual([201, 2]);
  });

  it('follows the contract setting: NONE lets the breaking version in', async () => {
    await api.request('PUT', '/v1/config/orders', { body: { compatibility: 'NONE' } });
    const res = await api.request('POST', '/v1/contracts/orders/versions', { body: movedTopic });
    expect([res.status, res.json.version]).toEqual([201, 3]);
    await api.request('DELETE', '/v1/config/orders');
  });

  it('checks a candidate without storing it, with the contract settings or overrides', async () => {
    const lenient = await api.request('POST', '/v1/contracts/orders/compatibility', { body: optionalAdded });
    expect(lenient.json).toMatchObject({ contract: 'orders', mode: 'AUTO', policy: 'lenient' });
    expect(typeof lenient.json.compatible).toBe('boolean');
    // Against version 3 (no giftWrap), an optional property added to an open object breaks BACKWARD only under strict.
    const back = await api.request('POST', '/v1/contracts/orders/compatibility?mode=BACKWARD', { body: movedTopic.replace('        couponCode: { type: string }', '        couponCode: { type: string }\n        giftWrap: { type: boolean }') });
    expect(back.json).toMatchObject({ mode: 'BACKWARD', policy: 'lenient', compatible: true });
    const strict = await api.request('POST', '/v1/contracts/orders/compatibility?mode=BACKWARD&policy=strict', { body: movedTopic.replace('        couponCode: { type: string }', '        couponCode: { type: string }\n        giftWrap: { type: boolean }') });
    expect(strict.json).toMatchObject({ mode: 'BACKWARD', policy: 'strict', compatible: false });
    expect(strict.json.changes.find((c: { breaking: boolean }) => c.breaking)).toMatchObject({ kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', breaks: ['BACKWARD'] });
    expect((await api.request('GET', '/v1/contracts/orders/versions')).json.versions).toHaveLength(3);
    expect((await api.request('POST', '/v1/contracts/orders/compatibility?mode=SIDEWAYS', { body: orders })).status).toBe(400);
    expect((await api.request('POST', '/v1/contracts/orders/compatibility', { body: 'asyncapi: 3.0.0' })).status).toBe(422);
    const fresh = await api.request('POST', '/v1/contracts/brand-new/compatibility', { body: orders });
    expect(fresh.json).toMatchObject({ compatible: true, changes: [] });
  });

  it('checks only the latest version, unless the mode is transitive', async () => {
    // Version 3 already moved the topic: against it, nothing breaks; against 1 and 2, the move does.
    const res = await api.request('POST', '/v1/contracts/orders/compatibility', { body: movedTopic });
    expect(res.json.compatible).toBe(true);
    const back = await api.request('POST', '/v1/contracts/orders/compatibility?mode=BACKWARD_TRANSITIVE', { body: movedTopic });
    expect(back.json.compatible).toBe(false);
    // The same change against several versions is listed once, against the newest it breaks.
    expect(back.json.changes.filter((c: { breaking: boolean }) => c.breaking)).toEqual([expect.objectContaining({ kind: 'KAFKA_TOPIC_CHANGED', against: 2 })]);
  });

  it('lists every change between two versions with its verdict under the configured mode', async () => {
    const diff = await api.request('GET', '/v1/contracts/orders/versions/2/diff/3');
    expect(diff.json).toMatchObject({ contract: 'orders', from: 2, to: 3, mode: 'AUTO', compatible: false });
    expect(diff.json.changes.map((c: { kind: string; breaking: boolean }) => [c.kind, c.breaking])).toEqual(
      expect.arrayContaining([['KAFKA_TOPIC_CHANGED', true], ['PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', false]]),
    );
    const same = await api.request('GET', '/v1/contracts/orders/versions/latest/diff/latest');
    expect(same.json).toMatchObject({ compatible: true, changes: [] });
    expect((await api.request('GET', '/v1/contracts/orders/versions/1/diff/9')).status).toBe(404);
  });
});

describe('checks that would take long, and reports that would be large', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite', { compat: { maxSteps: 500, maxChanges: 3 } });
  });
  afterAll(async () => api.cleanup());

  it('answers 422 "too complex to judge" past the work budget, saying where, and stores nothing', async () => {
    expect((await api.request('POST', '/v1/contracts/nested/versions', { body: nestedAnyOf(8, 3, 0) })).status).toBe(201);
    for (const path of ['/v1/contracts/nested/compatibility', '/v1/contracts/nested/versions']) {
      const res = await api.request('POST', path, { body: nestedAnyOf(8, 3, 1) });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ type: 'urn:herald:problem:limit-exceeded', limit: 'HERALD_COMPAT_MAX_STEPS', gaveUpAt: { channel: 'events', message: 'Event' } });
      expect(res.json.detail).toMatch(/^Too complex to judge/);
    }
    expect((await api.request('GET', '/v1/contracts/nested/versions')).json.versions).toHaveLength(1);
    expect((await api.request('GET', '/healthz')).status).toBe(200);
  });

  it('a diff of a change reached along 100,000 paths lists it once, with the paths counted', async () => {
    expect((await api.request('PUT', '/v1/config/fan', { body: { compatibility: 'NONE' } })).status).toBe(200);
    for (const variant of [0, 1]) expect((await api.request('POST', '/v1/contracts/fan/versions', { body: refFanOut(10, 5, variant) })).status).toBe(201);
    const diff = await api.request('GET', '/v1/contracts/fan/versions/1/diff/2');
    expect(diff.status).toBe(200);
    expect(diff.json.changes).toEqual([expect.objectContaining({ kind: 'MAX_LENGTH_INCREASED', occurrences: 100_000 })]);
    expect(diff.text.length).toBeLessThan(2_000);
  });

  it('lists at most HERALD_MAX_REPORT_CHANGES changes, and says how many there were', async () => {
    const many = (type: string) => `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        payload: {type: object, properties: {${Array.from({ length: 8 }, (_, i) => `p${i}: {type: ${type}}`).join(', ')}}}
`;
    expect((await api.request('POST', '/v1/contracts/many/versions', { body: many('string') })).status).toBe(201);
    const res = await api.request('POST', '/v1/contracts/many/versions', { body: many('integer') });
    expect(res.status).toBe(409);
    expect(res.json.changes).toHaveLength(3);
    expect(res.json.truncated).toEqual({ total: 8, shown: 3 });
  });
});

describe('contracts real teams register', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await testApp('pglite');
  });
  afterAll(async () => api.cleanup());
  const fixture = (name: string) => readFileSync(`test/fixtures/compat/${name}`, 'utf8');

  it('a polymorphic hierarchy (subtypes that allOf their base) registers, and its next version is judged, while the server answers', async () => {
    expect((await api.request('POST', '/v1/contracts/fleet/versions', { body: fixture('polymorphic-v1.yaml') })).status).toBe(201);
    // The events are sent: a subtype losing an enum value breaks nothing FORWARD under AUTO...
    const narrowed = fixture('polymorphic-v2.yaml').replace('version: 1.0.0', 'version: 1.1.0');
    const [registered, health] = await Promise.all([api.request('POST', '/v1/contracts/fleet/versions', { body: narrowed }), api.request('GET', '/healthz')]);
    expect([registered.status, health.status]).toEqual([201, 200]);
    // ...and under FULL it is the one breaking change, at its place.
    const full = await api.request('POST', '/v1/contracts/fleet/compatibility?mode=FULL', { body: fixture('polymorphic-v1.yaml') });
    expect(full.status).toBe(200);
    expect(full.json.changes.map((c: { kind: string; newPath: string; breaking: boolean }) => [c.kind, c.newPath, c.breaking])).toEqual([['ENUM_ARRAY_EXTENDED', '/components/schemas/Coupe/allOf/1/properties/doors/enum', true]]);
  });

  it('a reply message named by its component is judged: a changed field type is refused', async () => {
    expect((await api.request('POST', '/v1/contracts/quotes/versions', { body: fixture('reply-components-v1.yaml') })).status).toBe(201);
    const res = await api.request('POST', '/v1/contracts/quotes/versions', { body: fixture('reply-components-v2.yaml') });
    expect(res.status).toBe(409);
    expect(res.json.changes).toContainEqual(expect.objectContaining({ kind: 'TYPE_CHANGED', newPath: '/components/messages/QuoteAnswered/payload/properties/id/type', scope: expect.objectContaining({ reply: true }) }));
  });
});
