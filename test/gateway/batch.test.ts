/** Reading a publish batch, pure: each message is sent as the bytes its producer wrote; a bad envelope fails alone. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../src/errors.js';
import type { PublishRequest } from '../../src/gateway/gateway.js';
import { readBatch } from '../../src/http/batch.js';

const base = { contract: 'c', channel: 'ch', parameters: { region: 'eu' } };
const JSON_TYPE = 'application/json';
const NDJSON = 'application/x-ndjson';

function read(text: string | Buffer, contentType = JSON_TYPE, max = 1000): (PublishRequest | HeraldError)[] {
  return readBatch(Buffer.isBuffer(text) ? text : Buffer.from(text), contentType, max, base);
}

function requests(text: string, contentType = JSON_TYPE): PublishRequest[] {
  return read(text, contentType).map((r) => {
    if (r instanceof HeraldError) throw r;
    return r;
  });
}

const bodies = (text: string, contentType = JSON_TYPE) => requests(text, contentType).map((r) => r.body.toString());

describe('payload bytes', () => {
  it('are the bytes written inside the envelope, so big numbers, escapes and spacing survive', () => {
    const payload = '{ "id": 12345678901234567890, "price": 1.10, "name": "caf\\u00e9 \\"x\\" }{][", "path": "C:\\\\" }';
    const [req] = requests(`[ {"key": "k1", "payload": ${payload} } ]`);
    expect(req!.body.toString()).toBe(payload);
    // Judging gets the value JSON.parse gives, and does not parse again.
    expect(req!.parsed).toEqual({ value: JSON.parse(payload) });
    expect(req!.key).toBe('k1');
  });

  it('are found in every element, whatever the spacing and line breaks between them', () => {
    const text = '\r\n[\n\t{"payload":[1,{"a":"]"}]},\n  { "payload" :"text" , "message":"M"} ,{"payload":null},{"payload":-0.5e3}\n]\n';
    expect(bodies(text)).toEqual(['[1,{"a":"]"}]', '"text"', 'null', '-0.5e3']);
  });

  it('skip a UTF-8 byte order mark and keep multi-byte characters', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"payload":{"city":"Zürich","emoji":"📦"}}]')]);
    const [req] = read(text) as PublishRequest[];
    expect(req!.body.toString()).toBe('{"city":"Zürich","emoji":"📦"}');
    expect(req!.parsed!.value).toEqual({ city: 'Zürich', emoji: '📦' });
  });

  it('are those of the last "payload" member when an envelope repeats it, as JSON.parse keeps the last', () => {
    expect(bodies('[{"payload": 1, "payload": {"a": 2}}]')).toEqual(['{"a": 2}']);
  });

  it('fall back to compact JSON when the payload key is written with escapes', () => {
    const [req] = requests('[{"pay\\u006coad": { "a" : 1 }}]');
    expect(req!.body.toString()).toBe('{"a":1}');
    // An escaped duplicate after a plain one wins in JSON.parse: not the plain one's bytes.
    expect(bodies('[{"payload": "plain", "pay\\u006coad": { "b" : 2 }}]')).toEqual(['{"b":2}']);
  });

  it('are the characters of payloadText, for messages that are not JSON', () => {
    const [req] = requests('[{"payloadText": "{oops \\u00e9"}]');
    expect(req!.body.toString()).toBe('{oops é');
    expect(req!.parsed).toBeUndefined();
  });

  it('hold for any JSON payload written with any indentation (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 5 }), fc.constantFrom(undefined, 2, '\t'), (payloads, indent) => {
        const text = JSON.stringify(payloads.map((payload, i) => ({ message: `m${i}`, payload })), null, indent);
        const out = requests(text);
        expect(out).toHaveLength(payloads.length);
        for (const [i, req] of out.entries()) {
          // The very bytes of the batch, and the value JSON.parse reads from them.
          expect(Buffer.from(text).includes(req.body)).toBe(true);
          expect(JSON.parse(req.body.toString())).toEqual(JSON.parse(JSON.stringify(payloads[i])));
          expect(req.parsed!.value).toEqual(JSON.parse(JSON.stringify(payloads[i])));
          expect(req.message).toBe(`m${i}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('a batch that is not a JSON array', () => {
  it('is refused exactly when JSON.parse refuses it, whatever the damage (property)', () => {
    const text = JSON.stringify([{ payload: { a: [1, 'x"]}', { b: null }] }, message: 'M' }, { payload: 'q\\"' }, { payloadText: '{' }]);
    const damage = fc.record({ at: fc.nat(text.length), cut: fc.nat(3), insert: fc.constantFrom('', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'x', '1') });
    fc.assert(
      fc.property(damage, ({ at, cut, insert }) => {
        const broken = text.slice(0, at) + insert + text.slice(at + cut);
        let whole: unknown;
        try {
          whole = JSON.parse(broken);
        } catch {
          expect(() => read(broken)).toThrow(/^The batch must be a JSON array of envelopes/);
          return;
        }
        if (!Array.isArray(whole)) return void expect(() => read(broken)).toThrow(/must be a JSON array/);
        const out = read(broken);
        expect(out).toHaveLength(whole.length);
        for (const [i, r] of out.entries()) {
          const e = whole[i] as Record<string, unknown>;
          if (r instanceof HeraldError) continue;
          if ('payload' in e) expect(JSON.parse(r.body.toString())).toEqual(e.payload);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['an unterminated string', '[{"payload": "abc}]', /not valid JSON|Unterminated string/],
    ['a trailing comma', '[{"payload": 1},]', /JSON/],
    ['text after the array', '[{"payload": 1}] [', /JSON/],
    ['an unclosed array', '[{"payload": 1}', /JSON/],
    ['a missing comma', '[{"payload": 1} {"payload": 2}]', /JSON/],
  ])('is refused whole, with the parser\'s reason: %s', (_, text, reason) => {
    let error: unknown;
    try {
      read(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).code).toBe('bad-request');
    expect((error as HeraldError).message).toMatch(/^The batch must be a JSON array of envelopes/);
    expect((error as HeraldError).message).toMatch(reason);
  });

  it('is refused when it is JSON but not an array', () => {
    expect(() => read('{"payload": 1}')).toThrow(/must be a JSON array of envelopes \(\{payload/);
  });

  it('is refused over the message limit', () => {
    expect(() => read('[{"payload":1},{"payload":2},{"payload":3}]', JSON_TYPE, 2)).toThrow(expect.objectContaining({ code: 'payload-too-large' }));
  });
});

describe('NDJSON', () => {
  it('reads one envelope a line, CRLF and blank lines allowed; a line that is not JSON fails alone', () => {
    const text = '{"payload": {"n": 1.50}, "parameters": {"region": "us", "tier": 2}}\r\n\r\nnot json\n{"payload":[ 2 ]}';
    const out = read(text, NDJSON);
    expect(out).toHaveLength(3);
    const [first, bad, last] = out as [PublishRequest, HeraldError, PublishRequest];
    expect(first.body.toString()).toBe('{"n": 1.50}');
    expect(first.parameters).toEqual({ region: 'us', tier: '2' });
    expect(bad).toBeInstanceOf(HeraldError);
    expect(bad.message).toMatch(/^Line 3 is not JSON/);
    expect(last.body.toString()).toBe('[ 2 ]');
    expect(last.parameters).toEqual({ region: 'eu' });
  });

  it('is chosen by application/x-ndjson, application/ndjson and application/jsonl', () => {
    for (const type of ['application/x-ndjson', 'application/ndjson; charset=utf-8', 'application/jsonl']) expect(bodies('{"payload":1}\n{"payload":2}', type)).toEqual(['1', '2']);
  });
});

describe('envelopes', () => {
  it.each([
    ['[1]', /an envelope must be an object/],
    ['[{"payload": 1, "extra": true}]', /unknown field\(s\) extra/],
    ['[{"message": "M"}]', /exactly one of payload and payloadText/],
    ['[{"payload": 1, "payloadText": "1"}]', /exactly one of payload and payloadText/],
    ['[{"payloadText": 1}]', /payloadText must be a string/],
    ['[{"payload": 1, "key": 7}]', /key must be a string/],
    ['[{"payload": 1, "headers": []}]', /headers must be an object/],
  ])('%s fails alone', (text, why) => {
    const out = read(text.replace(/^\[/, '[{"payload": "fine"}, '));
    expect(out[0]).not.toBeInstanceOf(HeraldError);
    expect(out[1]).toBeInstanceOf(HeraldError);
    expect((out[1] as HeraldError).message).toMatch(/^Item 1: /);
    expect((out[1] as HeraldError).message).toMatch(why);
  });

  it('carries message, key, headers and idempotency key; parameters add to those of the URL', () => {
    const [req] = requests('[{"payload": {}, "message": "M", "key": "k", "headers": {"h": 1}, "idempotencyKey": "i", "parameters": {"tier": "gold"}}]');
    expect(req).toMatchObject({ contract: 'c', channel: 'ch', message: 'M', key: 'k', headers: { h: 1 }, idempotencyKey: 'i', parameters: { region: 'eu', tier: 'gold' } });
  });
});
