/** The Lambda MSK event shape the emulator builds, without a broker. */
import type { KafkaMessage } from 'kafkajs';
import { localEventSourceArn, toMskEvent, toMskRecord } from '../../../local/esm/emulator';

const message = (m: Partial<KafkaMessage>): KafkaMessage =>
  ({ offset: '0', timestamp: '1763798400000', attributes: 0, key: null, value: null, headers: {}, ...m }) as unknown as KafkaMessage;

describe('toMskRecord / toMskEvent', () => {
  it('encodes key and value as base64 and headers as arrays of byte values, one entry per value', () => {
    const r = toMskRecord(
      't',
      3,
      message({ offset: '42', key: Buffer.from('k'), value: Buffer.from([0, 255, 10]), headers: { a: Buffer.from('x'), b: ['1', Buffer.from('2')], c: undefined } }),
    );
    expect(r).toEqual({
      topic: 't',
      partition: 3,
      offset: 42,
      timestamp: 1763798400000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('k').toString('base64'),
      value: Buffer.from([0, 255, 10]).toString('base64'),
      headers: [{ a: [120] }, { b: [49] }, { b: [50] }, { c: [] }],
    });
  });

  it('leaves the key out for a null key and sets value null for a tombstone', () => {
    const r = toMskRecord('t', 0, message({}));
    expect('key' in r).toBe(false);
    expect(r.value).toBeNull();
  });

  it('groups the records under "<topic>-<partition>" with the event source fields Lambda sets', () => {
    const e = toMskEvent(localEventSourceArn('g'), '127.0.0.1:9092', 'clicks', 1, [message({ offset: '5' }), message({ offset: '6' })]);
    expect(e.eventSource).toBe('aws:kafka');
    expect(e.eventSourceArn).toMatch(/^arn:aws:kafka:/);
    expect(e.bootstrapServers).toBe('127.0.0.1:9092');
    expect(Object.keys(e.records)).toEqual(['clicks-1']);
    expect(e.records['clicks-1'].map((r) => r.offset)).toEqual([5, 6]);
  });
});
