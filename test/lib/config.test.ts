import { ctx } from './support';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../lib/config';


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
    expect(parseConfig(ctx({ kafkaMode: 'provisioned', brokerCount: 3 })).kafka).toEqual({ mode: 'provisioned', brokerCount: 3, instanceType: 'kafka.m7g.large', kafkaVersion: '3.8.x', storageGiB: 100 });
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
    [{ pipelines: 'clickstream', avroPipelines: 'sales' }, "config 'streamlake:avroPipelines': 'sales' is not deployed (streamlake:pipelines is clickstream): add it there or remove it here"],
    [{ kafkaMode: 'provisioned', kafkaVersion: '2.2.1' }, "'streamlake:kafkaVersion': must be one of"],
    [{ kafkaMode: 'provisioned', brokerCount: 1 }, "'streamlake:brokerCount': must be an integer from 2 to 30"],
    [{ kafkaMode: 'existing' }, "'streamlake:existingClusterArn': kafkaMode 'existing' needs the cluster ARN"],
    [{ alarmEmail: 'ops-at-example' }, "'streamlake:alarmEmail': is not an e-mail address"],
    [{ removalPolicy: 'keep' }, 'must be one of destroy | retain'],
    [{ batchsize: 10 }, "config 'streamlake:batchsize': unknown key"],
  ])('rejects %j with a message naming the key', (context, message) => {
    expect(() => parseConfig(ctx(context))).toThrow(ConfigError);
    expect(() => parseConfig(ctx(context))).toThrow(message);
  });
});
