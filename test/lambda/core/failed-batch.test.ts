import { batchInfoOf, failedBatchFileName, failedBatchRecord, parseFailedBatchRecord } from '../../../lambda/core/failed-batch';
import { MalformedEventError } from '../../../model/errors';
import { mskEvent } from '../../support/msk';

const event = mskEvent([
  { topic: 'sales', partition: 2, offset: 40, value: 'a' },
  { topic: 'sales', partition: 2, offset: 41, value: 'b' },
]);
const record = failedBatchRecord(event, { condition: 'RetryAttemptsExhausted', attempts: 4, functionArn: 'arn:fn', error: new Error('down'), now: Date.UTC(2026, 0, 2) });

describe('on-failure records', () => {
  it("hold Lambda's request and response context, the batch's topic-partition and offsets, and the event", () => {
    expect(record).toEqual({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4, functionArn: 'arn:fn' },
      responseContext: { functionError: 'Unhandled', errorType: 'UnknownError', errorMessage: 'down' },
      timestamp: '2026-01-02T00:00:00.000Z',
      KafkaBatchInfo: { topic: 'sales', partition: 2, firstOffset: 40, lastOffset: 41, batchSize: 2 },
      event,
    });
    expect(failedBatchFileName(record)).toBe('sales-2-00000000000000000040.json');
  });

  it('read back from the JSON either destination keeps, as written', () => {
    expect(parseFailedBatchRecord(JSON.stringify(record))).toEqual(record);
    expect(parseFailedBatchRecord(JSON.stringify(record, null, 2))).toEqual(record);
  });

  it('read back when the event travels as `payload`, an object or a JSON string, with the batch info derived when absent', () => {
    const { event: e, KafkaBatchInfo: _info, ...rest } = record;
    expect(parseFailedBatchRecord(JSON.stringify({ ...rest, payload: e })).event).toEqual(event);
    const fromString = parseFailedBatchRecord(JSON.stringify({ ...rest, payload: JSON.stringify(e) }));
    expect(fromString.event).toEqual(event);
    expect(fromString.KafkaBatchInfo).toEqual(batchInfoOf(event));
  });

  it.each([
    ['not JSON', 'on-failure record is not JSON'],
    ['[1]', 'is not a JSON object'],
    ['{"requestContext":{}}', 'holds no MSK event to replay'],
    ['{"payload":"{oops"}', 'payload that is not JSON'],
    ['{"event":{"eventSource":"aws:kafka"}}', 'holds no MSK event to replay'],
  ])('refuse %s with a MalformedEventError', (text, message) => {
    expect(() => parseFailedBatchRecord(text)).toThrow(MalformedEventError);
    expect(() => parseFailedBatchRecord(text)).toThrow(message);
  });
});
