import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { FailureDestinationError, KafkaFailureSink, StoreFailureSink, failureMessageOf } from '../../../lambda/adapters/failure-sink';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { failedBatchRecord, parseFailedBatchRecord } from '../../../lambda/core/failed-batch';
import { isRetriable } from '../../../model/errors';
import { mskEvent } from '../../support/msk';

const record = failedBatchRecord(mskEvent([{ topic: 'clickstream', partition: 1, offset: 9, value: 'x' }]), {
  condition: 'NotRetriable',
  attempts: 1,
  functionArn: 'arn:fn',
  error: new Error('bad'),
  now: 0,
});

describe('failure sinks', () => {
  it('keep one JSON object per record under a prefix of a store (the bucket, a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-sink-'));
    try {
      const sink = new StoreFailureSink(new LocalLakeStore(dir), 'streamlake/not-retriable/clickstream/');
      await expect(sink.write(record)).resolves.toBe('streamlake/not-retriable/clickstream/clickstream-1-00000000000000000009.json');
      const files = readdirSync(join(dir, 'streamlake/not-retriable/clickstream'));
      expect(files).toEqual(['clickstream-1-00000000000000000009.json']);
      expect(parseFailedBatchRecord(readFileSync(join(dir, 'streamlake/not-retriable/clickstream', files[0]), 'utf8'))).toEqual(record);
      expect(sink.describe()).toBe(`${dir}/streamlake/not-retriable/clickstream/`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('make one Kafka message per record: the JSON record, keyed by the source topic-partition', () => {
    const m = failureMessageOf(record);
    expect(m.key).toBe('clickstream-1');
    expect(parseFailedBatchRecord(m.value)).toEqual(record);
    expect(m.headers).toEqual({ 'content-type': 'application/json', condition: 'NotRetriable' });
    expect(failureMessageOf({ ...record, KafkaBatchInfo: null }).key).toBe('unidentified');
  });

  it('turn a failed produce into a retriable FailureDestinationError naming the topic', async () => {
    const kafka = { producer: () => ({ connect: async () => Promise.reject(new Error('broker down')) }) } as unknown as Kafka;
    const sink = new KafkaFailureSink(kafka, 'clickstream.failed');
    const err = await sink.write(record).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureDestinationError);
    expect(isRetriable(err)).toBe(true);
    expect((err as Error).message).toBe('cannot produce the on-failure record to clickstream.failed: broker down');
    expect(sink.describe()).toBe('kafka://clickstream.failed');
  });
});
