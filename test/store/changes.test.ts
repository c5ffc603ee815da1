/**
 * What one process tells the others through NOTIFY (store/changes.ts): anyone who can reach the
 * database can send on the channel, so a crafted payload is read as nothing, never as a crash;
 * and what Herald sends always fits PostgreSQL's payload limit, or the write it rides on fails.
 */
import { describe, expect, it } from 'vitest';
import { changePayload, parseChange } from '../../src/store/changes.js';

describe('a payload on the changes channel', () => {
  it('reads as nothing unless it is a change, whatever a stranger sends', () => {
    for (const payload of ['', 'ping:someone-else', 'not json', 'null', '[]', '42', '"orders"', '{}', '{"contract":7}', '{"contract":null}', '{"tokens":"yes"}', '{"__proto__":{"contract":"x"}}']) {
      expect(parseChange(payload), payload).toBeUndefined();
    }
  });

  it('keeps only safe integers of a removed-versions list, and reads a huge one in one pass', () => {
    expect(parseChange('{"contract":"orders","gone":[1,"2",3.5,-4,1e300,null,{"a":1},9007199254740993]}')).toEqual({ contract: 'orders', gone: [1, -4] });
    expect(parseChange('{"contract":"orders","gone":"all"}')).toEqual({ contract: 'orders' });
    expect(parseChange('{"tokens":true,"contract":"orders"}')).toEqual({ tokens: true });
    const huge = JSON.stringify({ contract: 'orders', gone: Array.from({ length: 200_000 }, (_, i) => i) });
    expect(parseChange(huge)).toMatchObject({ contract: 'orders' });
  });

  it('that Herald sends stays under 8000 bytes: a list of removed versions too long is left out, the contract named all the same', () => {
    const name = 'c'.repeat(128);
    expect(JSON.parse(changePayload({ contract: name, gone: [1, 2] }))).toEqual({ contract: name, gone: [1, 2] });
    const many = changePayload({ contract: name, gone: Array.from({ length: 2000 }, (_, i) => 1_000_000 + i) });
    expect(Buffer.byteLength(many)).toBeLessThan(8000);
    expect(JSON.parse(many)).toEqual({ contract: name });
    expect(changePayload({ tokens: true })).toBe('{"tokens":true}');
  });
});
