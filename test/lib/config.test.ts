import { ctx } from './support';
import { CONFIG_KEYS, CONFIG_OPTIONS, ConfigError, DEFAULT_CONFIG, parseConfig } from '../../lib/config';

describe('parseConfig', () => {
  it('defaults to MSK Serverless, every pipeline and safe limits', () => {
    expect(parseConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.kafka).toEqual({ mode: 'serverless' });
    expect(DEFAULT_CONFIG.pipelines).toEqual(['clickstream', 'sales']);
  });

  it('reads -c overrides given as strings', () => {
    const c = parseConfig(ctx({ batchSize: '500', maxBatchingWindowSeconds: '10', pipelines: 'sales', alarmQuarantineRatio: '0.2', removalPolicy: 'retain' }));
    expect(c).toMatchObject({ batchSize: 500, maxBatchingWindowSeconds: 10, pipelines: ['sales'], removalPolicy: 'retain' });
    expect(parseConfig(ctx({ avroPipelines: ['sales'] })).avroPipelines).toEqual(['sales']);
    expect(DEFAULT_CONFIG.avroPipelines).toEqual([]);
    expect(c.alarms.quarantineRatio).toBe(0.2);
  });

  it('builds the provisioned and existing modes', () => {
    expect(parseConfig(ctx({ kafkaMode: 'provisioned', brokerCount: 3 })).kafka).toEqual({
      mode: 'provisioned',
      brokerCount: 3,
      instanceType: 'kafka.m7g.large',
      kafkaVersion: '3.8.x',
      storageGiB: 100,
    });
    const existing = parseConfig(
      ctx({
        kafkaMode: 'existing',
        existingClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2',
        existingVpcId: 'vpc-0123456789abcdef0',
        existingVpcCidr: '10.20.0.0/16',
        existingSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        existingSecurityGroupId: 'sg-0123456789abcdef0',
        existingAvailabilityZones: 'eu-west-1a,eu-west-1b',
      }),
    );
    expect(existing.kafka).toMatchObject({ mode: 'existing', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  });

  it.each([
    [{ batchSize: 0 }, "config 'streamlake:batchSize': must be an integer from 1 to 10000, got 0"],
    [{ batchSize: 20000 }, 'from 1 to 10000, got 20000'],
    [{ maxBatchingWindowSeconds: 301 }, "'streamlake:maxBatchingWindowSeconds': must be an integer from 0 to 300"],
    [{ kafkaMode: 'kraft' }, "'streamlake:kafkaMode': must be one of serverless | provisioned | existing, got 'kraft'"],
    [{ pipelines: 'sales,tweets' }, "unknown pipeline 'tweets' (known: clickstream, sales)"],
    [
      { pipelines: 'clickstream', avroPipelines: 'sales' },
      "config 'streamlake:avroPipelines': 'sales' is not deployed (streamlake:pipelines is clickstream): add it there or remove it here",
    ],
    [{ kafkaMode: 'provisioned', kafkaVersion: '2.2.1' }, "'streamlake:kafkaVersion': must be one of"],
    [{ kafkaMode: 'provisioned', brokerCount: 1 }, "'streamlake:brokerCount': must be an integer from 2 to 30"],
    [{ kafkaMode: 'existing' }, "'streamlake:existingClusterArn': kafkaMode 'existing' needs the cluster ARN"],
    [{ alarmEmail: 'ops-at-example' }, "'streamlake:alarmEmail': is not an e-mail address"],
    [{ removalPolicy: 'keep' }, 'must be one of destroy | retain'],
    [{ batchsize: 10 }, "config 'streamlake:batchsize': unknown key"],
    [{ minimumPollers: 0 }, "config 'streamlake:minimumPollers': must be an integer from 1 to 200, got 0"],
    [{ minimumPollers: '201' }, 'config \'streamlake:minimumPollers\': must be an integer from 1 to 200, got "201"'],
    [{ maximumPollers: 2001 }, "config 'streamlake:maximumPollers': must be an integer from 1 to 2000, got 2001"],
    [{ maximumPollers: 'many' }, "config 'streamlake:maximumPollers': must be an integer from 1 to 2000"],
    [{ minimumPollers: 10, maximumPollers: 5 }, "config 'streamlake:minimumPollers': must be at most streamlake:maximumPollers (5), got 10"],
    [{ onFailure: 'sqs' }, "config 'streamlake:onFailure': must be one of s3 | kafka, got 'sqs'"],
    [{ onFailure: 'kafka' }, "config 'streamlake:onFailure': 'kafka' needs provisioned mode: set streamlake:minimumPollers and/or streamlake:maximumPollers, or use 's3'"],
  ])('rejects %j with a message naming the key', (context, message) => {
    expect(() => parseConfig(ctx(context))).toThrow(ConfigError);
    expect(() => parseConfig(ctx(context))).toThrow(message);
  });

  it('keeps the event source mappings on demand with the S3 on-failure destination by default', () => {
    expect(DEFAULT_CONFIG.eventSourceMapping).toEqual({ provisionedPollers: undefined, onFailure: 's3' });
  });

  it("turns on provisioned mode when either poller bound is set, with Lambda's default for the other", () => {
    expect(parseConfig(ctx({ minimumPollers: '2', maximumPollers: '20' })).eventSourceMapping.provisionedPollers).toEqual({ minimum: 2, maximum: 20 });
    expect(parseConfig(ctx({ minimumPollers: 3 })).eventSourceMapping.provisionedPollers).toEqual({ minimum: 3, maximum: 200 });
    expect(parseConfig(ctx({ maximumPollers: 8 })).eventSourceMapping.provisionedPollers).toEqual({ minimum: 1, maximum: 8 });
    expect(parseConfig(ctx({ minimumPollers: 5, maximumPollers: 5 })).eventSourceMapping.provisionedPollers).toEqual({ minimum: 5, maximum: 5 });
  });

  it('takes a Kafka on-failure destination in provisioned mode', () => {
    expect(parseConfig(ctx({ onFailure: 'kafka', maximumPollers: 4 })).eventSourceMapping).toEqual({ provisionedPollers: { minimum: 1, maximum: 4 }, onFailure: 'kafka' });
  });

  it('reports a bad poller bound once, not again as a missing provisioned mode', () => {
    expect(() => parseConfig(ctx({ onFailure: 'kafka', minimumPollers: 0 }))).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ key: 'streamlake:minimumPollers' })] }),
    );
  });

  it('lists every bad key in one error, unknown keys first, the first one as key', () => {
    let error: unknown;
    try {
      parseConfig(ctx({ batchsize: 10, batchSize: 0, removalPolicy: 'keep', pipelines: 'clickstream', avroPipelines: 'sales' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.key).toBe('streamlake:batchsize');
    expect(e.problems.map((p) => p.key)).toEqual(['streamlake:batchsize', 'streamlake:batchSize', 'streamlake:removalPolicy', 'streamlake:avroPipelines']);
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('config \'streamlake:batchSize\': must be an integer from 1 to 10000, got 0 (set it in cdk.json "context" or with -c streamlake:batchSize=...)');
    expect(lines[2]).toMatch(/^config 'streamlake:removalPolicy': must be one of destroy \| retain, got 'keep' \(set it in/);
  });

  it("lists every key kafkaMode 'existing' is missing, and checks the zones only against valid subnets", () => {
    const missing = () => parseConfig(ctx({ kafkaMode: 'existing' }));
    expect(missing).toThrow(ConfigError);
    expect(() => missing()).toThrow(
      expect.objectContaining({
        problems: ['existingClusterArn', 'existingVpcId', 'existingVpcCidr', 'existingSubnetIds', 'existingSecurityGroupId'].map((k) =>
          expect.objectContaining({ key: `streamlake:${k}` }),
        ),
      }),
    );
    const subnets = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
    expect(() => parseConfig(ctx({ kafkaMode: 'existing', existingSubnetIds: subnets, existingAvailabilityZones: 'eu-west-1a' }))).toThrow(
      'config \'streamlake:existingAvailabilityZones\': must list the availability zone of each subnet (2), got ["eu-west-1a"]',
    );
  });

  it('reads the keys of a Kafka mode only in that mode', () => {
    expect(parseConfig(ctx({ brokerCount: 1, existingVpcId: 'nope' })).kafka).toEqual({ mode: 'serverless' });
    expect(() => parseConfig(ctx({ kafkaMode: 'provisioned', brokerCount: 1, brokerInstanceType: 'm7g.large' }))).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ key: 'streamlake:brokerCount' }), expect.objectContaining({ key: 'streamlake:brokerInstanceType' })] }),
    );
  });

  it('derives the defaults and the known keys from one table, whose defaults parse back to themselves', () => {
    expect(CONFIG_KEYS).toEqual(Object.keys(CONFIG_OPTIONS));
    expect(CONFIG_KEYS).toHaveLength(36);
    const given = Object.fromEntries(CONFIG_KEYS.filter((k) => CONFIG_OPTIONS[k].kafkaMode === undefined).map((k) => [k, CONFIG_OPTIONS[k].default]));
    expect(parseConfig(ctx(given))).toEqual(DEFAULT_CONFIG);
    for (const key of CONFIG_KEYS) expect(CONFIG_OPTIONS[key].doc).toMatch(/^\S.*\S$/);
  });
});
