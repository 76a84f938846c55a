/** The CLI's shared argument helpers, driven by real argument lists (no broker, no network). */
import { resolve } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { StreamlakeError } from '../../../model/errors';
import { DEFAULT_LAKE_DIR, LAKE_STORE_OPTIONS, UsageError, bootstrapFor, choiceOf, int, lakeStoreOf, parseOptions, rateOf, specOf, specsOf } from '../../../local/cli/args';

/** The UsageError `fn` throws (fails the test if it throws something else or nothing). */
function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

const lakeOf = (...args: string[]) => lakeStoreOf(parseOptions(args, LAKE_STORE_OPTIONS));

describe('UsageError', () => {
  it('belongs to the error family and is never retried', () => {
    const err = new UsageError('--x is wrong');
    expect(err).toBeInstanceOf(StreamlakeError);
    expect(err.name).toBe('UsageError');
    expect(err.retriable).toBe(false);
  });
});

describe('choiceOf', () => {
  it('takes one of the values, the fallback when absent, and names the option and the values otherwise', () => {
    const kinds = ['directory', 'kafka'] as const;
    expect(choiceOf('on-failure', 'kafka', kinds, 'directory')).toBe('kafka');
    expect(choiceOf('on-failure', undefined, kinds, 'directory')).toBe('directory');
    expect(usageErrorOf(() => choiceOf('on-failure', 's3', kinds, 'directory')).message).toBe("--on-failure must be one of directory | kafka, got 's3'");
  });
});

describe('parseOptions', () => {
  it('returns the declared options and --help', () => {
    expect(parseOptions(['--lake', 'x', '--help'], LAKE_STORE_OPTIONS)).toEqual({ lake: 'x', help: true });
  });

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['--lake'], /--lake/],
    [['stray'], /positional argument/],
  ])('%j is a UsageError', (args, message) => {
    expect(usageErrorOf(() => parseOptions(args, LAKE_STORE_OPTIONS)).message).toMatch(message);
  });
});

describe('lakeStoreOf: --lake DIR', () => {
  it('--lake DIR: the directory, absolute', () => {
    const lake = lakeOf('--lake', 'some/lake');
    expect(lake.kind).toBe('directory');
    expect(lake.store).toBeInstanceOf(LocalLakeStore);
    expect(lake.kind === 'directory' && lake.dir).toBe(resolve('some/lake'));
    expect(lake.store.describe()).toBe(resolve('some/lake'));
  });

  it('no lake option: .streamlake/lake', () => {
    const lake = lakeOf();
    expect(lake.kind === 'directory' && lake.dir).toBe(DEFAULT_LAKE_DIR);
    expect(DEFAULT_LAKE_DIR).toMatch(/\.streamlake[/\\]lake$/);
  });

  it.each([[['--s3-endpoint', 'http://127.0.0.1:7070', '--bucket', 'lake']], [['--s3-endpoint', 'http://127.0.0.1:7070']], [['--bucket', 'lake', '--lake', 'dir']]])(
    '%j (a bucket on an S3-compatible endpoint, the per-batch layout’s option) is a UsageError saying what to pass instead',
    (args) => {
      const message = /^--s3-endpoint\/--bucket: the local lake is Apache Iceberg tables .* pass --lake DIR instead/;
      expect(usageErrorOf(() => lakeOf(...args)).message).toMatch(message);
    },
  );
});

describe('specOf / specsOf: --pipeline NAME, --pipelines a,b, --avro', () => {
  it('--pipeline NAME: the shipped spec, with Avro values on request', () => {
    expect(specOf('sales').name).toBe('sales');
    expect(specOf('sales').value.kind).toBe('json');
    expect(specOf('sales', true).value.kind).toBe('avro');
  });

  it('an unknown pipeline is a UsageError listing the known ones', () => {
    expect(usageErrorOf(() => specOf('tweets')).message).toBe("unknown pipeline 'tweets' (known: clickstream, sales)");
    expect(usageErrorOf(() => specsOf('clickstream,tweets')).message).toBe("unknown pipeline 'tweets' (known: clickstream, sales)");
  });

  it('a missing --pipeline is a UsageError listing the pipelines', () => {
    expect(usageErrorOf(() => specOf(undefined)).message).toBe('--pipeline is required (clickstream, sales)');
  });

  it('--pipelines a,b (default all), those named by --avro with Avro values', () => {
    expect(specsOf(undefined).map((s) => s.name)).toEqual(['clickstream', 'sales']);
    expect(specsOf('sales').map((s) => s.name)).toEqual(['sales']);
    expect(specsOf(undefined, ['sales']).map((s) => `${s.name}:${s.value.kind}`)).toEqual(['clickstream:csv', 'sales:avro']);
  });

  it('an --avro pipeline that is not started is a UsageError', () => {
    expect(usageErrorOf(() => specsOf('clickstream', ['sales'])).message).toBe('--avro sales: not one of the pipelines started (clickstream)');
  });
});

describe('numbers', () => {
  it('int: the fallback, the value, or a UsageError with the range', () => {
    expect(int('count', undefined, 7, 1, 10)).toBe(7);
    expect(int('count', '10', 7, 1, 10)).toBe(10);
    expect(usageErrorOf(() => int('count', '11', 7, 1, 10)).message).toBe("--count must be an integer from 1 to 10, got '11'");
  });

  it('rateOf: 0 is as fast as possible; negative is a UsageError', () => {
    expect(rateOf('0', 1000)).toBe(Infinity);
    expect(rateOf('250', 1000)).toBe(250);
    expect(usageErrorOf(() => rateOf('-5', 1000)).message).toMatch(/^--rate must be a number ≥ 0/);
  });
});

describe('bootstrapFor: --bootstrap, else KAFKA_BOOTSTRAP, else the running up', () => {
  it('no broker anywhere is a UsageError saying how to get one', async () => {
    await expect(bootstrapFor(undefined, undefined, () => undefined)).rejects.toThrow(
      new UsageError("no broker: run 'streamlake up' first, or pass --bootstrap HOST:PORT (or set KAFKA_BOOTSTRAP)"),
    );
  });

  it.each([
    ['--bootstrap', 'flag:x', undefined, undefined],
    ['KAFKA_BOOTSTRAP', undefined, 'env:x', 'up:x'],
    ["up's state", undefined, undefined, 'up:x'],
  ])('uses %s when nothing before it is set (and checks it)', async (_source, flag, env, up) => {
    const expected = flag ?? env ?? up;
    const state = up === undefined ? undefined : { pid: 1, bootstrap: up, lake: '/lake' };
    const attempt = bootstrapFor(flag, env, () => state);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(`broker ${expected} is unreachable`);
  });
});
