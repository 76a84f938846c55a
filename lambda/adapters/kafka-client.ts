/**
 * kafkajs clients for every place that talks to Kafka: MSK with IAM auth (TLS + SASL
 * OAUTHBEARER signed by aws-msk-iam-sasl-signer-js) in AWS, or a plaintext local broker.
 */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { ConfigurationError } from '../../model/errors';

export type KafkaAuth = { readonly kind: 'iam'; readonly region: string } | { readonly kind: 'none' };

export interface KafkaClientOptions {
  /** `host:port` list. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly auth: KafkaAuth;
  /** @default logLevel.WARN */
  readonly logLevel?: logLevel;
  /** @default 10_000 */
  readonly connectionTimeoutMs?: number;
}

/** Parses a comma-separated bootstrap string (`b-1:9098,b-2:9098`) and rejects empty parts. */
export function parseBootstrap(bootstrap: string): string[] {
  const brokers = bootstrap
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new ConfigurationError(`bootstrap servers '${bootstrap}' name no broker (expected host:port[,host:port])`);
  for (const b of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new ConfigurationError(`bootstrap server '${b}' is not host:port`);
  }
  return brokers;
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: options.logLevel ?? logLevel.WARN,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
  };
  if (options.auth.kind === 'iam') {
    const region = options.auth.region;
    // MSK IAM: TLS on port 9098 and a SigV4-signed token as the OAUTHBEARER value
    // (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html)
    config.ssl = true;
    config.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { token } = await generateAuthToken({ region });
        return { value: token };
      },
    };
  }
  return new Kafka(config);
}
