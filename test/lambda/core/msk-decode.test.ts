import { decodeMskEvent, keyText } from '../../../lambda/core/msk-decode';
import { mskEvent } from '../../support/msk';

describe('keyText', () => {
  it('keeps a UTF-8 key as text and marks any other key as base64', () => {
    expect(keyText(Buffer.from('192.168.2.7'))).toBe('192.168.2.7');
    expect(keyText(Buffer.from([0xff, 0x00, 0xfe]))).toBe('base64:/wD+');
    expect(keyText(null)).toBeNull();
  });
});

describe('decodeMskEvent', () => {
  it('decodes a repeated key once: its records share the bytes and the text', () => {
    const [batch] = decodeMskEvent(
      mskEvent([
        { topic: 't', partition: 0, offset: 1, key: Buffer.from([0xff, 0x01]), value: 'a' },
        { topic: 't', partition: 0, offset: 2, key: Buffer.from([0xff, 0x01]), value: 'b' },
      ]),
    );
    const [a, b] = batch.records;
    expect(a.key).toBe(b.key);
    expect(a.keyText).toBe('base64:/wE=');
    expect(b.keyText).toBe('base64:/wE=');
  });

  it('puts records back in offset order', () => {
    const [batch] = decodeMskEvent(
      mskEvent([
        { topic: 't', partition: 0, offset: 9, value: 'a' },
        { topic: 't', partition: 0, offset: 7, value: 'b' },
      ]),
    );
    expect(batch.records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [7, 'b'],
      [9, 'a'],
    ]);
  });
});
