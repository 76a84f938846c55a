import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { COMPACTION_METRIC, COMPACTOR_SERVICE, ESM_DIMENSION, ESM_METRIC, ESM_METRICS_NAMESPACE, METRIC, METRICS_NAMESPACE, PIPELINE_DIMENSION } from '../../model/metric-names';
import type { AlarmConfig } from '../config';

export interface MonitoredPipeline {
  readonly name: string;
  readonly function: lambda.IFunction;
  /** The UUID of its event source mapping, whose own metrics (MetricsConfig) are shown next to the function's. */
  readonly eventSourceMappingId: string;
}

/** The lake compactor: one function, a scheduled run per pipeline every `periodMinutes`. */
export interface MonitoredCompactor {
  readonly function: lambda.IFunction;
  readonly periodMinutes: number;
}

export interface MonitoringProps {
  readonly dashboardName: string;
  readonly pipelines: readonly MonitoredPipeline[];
  readonly alarms: AlarmConfig;
  /** @default no compaction widgets or alarms (streamlake:compaction=off) */
  readonly compactor?: MonitoredCompactor;
}

/**
 * A CloudWatch dashboard (the event source mapping's own metrics: offset lag, events polled,
 * invoked, failed, dropped and sent to the on-failure destination, and all the others it publishes;
 * the function's invocations, errors, duration, throttles; records processed and quarantined,
 * freshness, Iceberg commit attempts and conflicts; per pipeline the compactor's files rewritten,
 * snapshots expired, orphans deleted, failures and oldest uncompacted partition) and alarms (the
 * mapping's offset lag, errors, quarantine ratio, freshness; compaction failures, the oldest
 * uncompacted partition, the compactor function's errors) that notify an SNS topic
 * (KMS-encrypted, optional e-mail subscription).
 */
export class Monitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarmTopic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'streamlake alarm topic' });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'streamlake alarms', masterKey: key, enforceSSL: true });
    // CloudWatch alarms publish to an encrypted topic only if the key allows it
    key.grantEncryptDecrypt(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    if (props.alarms.email) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarms.email));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    const period = Duration.minutes(5);
    const action = new actions.SnsAction(this.alarmTopic);

    for (const p of props.pipelines) {
      const fn = p.function;
      const custom = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [PIPELINE_DIMENSION]: p.name, service: p.name }, statistic, period });
      // the mapping's own metrics (MetricsConfig EventCount, ErrorCount, KafkaMetrics), by its UUID
      // (Lambda developer guide, "Types of metrics for Lambda functions" → event source mapping metrics)
      const esm = (metricName: string, statistic: string, label?: string) =>
        new cloudwatch.Metric({ namespace: ESM_METRICS_NAMESPACE, metricName, dimensionsMap: { [ESM_DIMENSION]: p.eventSourceMappingId }, statistic, period, label });
      const offsetLag = esm(ESM_METRIC.offsetLag, 'Maximum');
      // the function-level OffsetLag Lambda has always published for Kafka sources, beside it
      const functionOffsetLag = new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OffsetLag',
        dimensionsMap: { FunctionName: fn.functionName },
        statistic: 'Maximum',
        period,
        label: 'offset lag (function)',
      });
      const esmEvents = [
        esm(ESM_METRIC.polled, 'Sum', 'polled'),
        esm(ESM_METRIC.invoked, 'Sum', 'invoked'),
        esm(ESM_METRIC.failedInvoke, 'Sum', 'in failed invocations'),
        esm(ESM_METRIC.dropped, 'Sum', 'dropped'),
        esm(ESM_METRIC.onFailureDelivered, 'Sum', 'to the on-failure destination'),
      ];
      // every metric the mapping publishes (the error counts and Kafka metrics included), whatever their names
      const everyEsmMetric = new cloudwatch.MathExpression({
        expression: `SEARCH('{${ESM_METRICS_NAMESPACE},${ESM_DIMENSION}} ${ESM_DIMENSION}="${p.eventSourceMappingId}"', 'Sum', 300)`,
        usingMetrics: {},
        label: '',
        period,
      });
      const recordsIn = custom(METRIC.recordsIn, 'Sum');
      const processed = custom(METRIC.recordsProcessed, 'Sum');
      const quarantined = custom(METRIC.recordsQuarantined, 'Sum');
      const freshness = custom(METRIC.freshnessSeconds, 'Maximum');
      const quarantineRatio = new cloudwatch.MathExpression({
        expression: 'IF(r > 0, q / r, 0)',
        usingMetrics: { q: quarantined, r: recordsIn },
        label: 'quarantine ratio',
        period,
      });

      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## ${p.name}`, width: 24, height: 1 }),
        new cloudwatch.GraphWidget({ title: `${p.name}: offset lag`, left: [offsetLag.with({ label: 'offset lag (mapping)' }), functionOffsetLag], width: 6 }),
        new cloudwatch.GraphWidget({ title: `${p.name}: event source mapping, events`, left: esmEvents, width: 9 }),
        new cloudwatch.GraphWidget({ title: `${p.name}: event source mapping, every metric it publishes`, left: [everyEsmMetric], width: 9 }),
        new cloudwatch.GraphWidget({
          title: `${p.name}: invocations, errors, throttles`,
          left: [fn.metricInvocations({ period }), fn.metricErrors({ period }), fn.metricThrottles({ period })],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${p.name}: duration`,
          left: [fn.metricDuration({ period, statistic: 'p99' }), fn.metricDuration({ period, statistic: 'Average' })],
          width: 6,
        }),
        new cloudwatch.GraphWidget({ title: `${p.name}: records processed / quarantined`, left: [processed, quarantined], right: [freshness], width: 6 }),
        // optimistic concurrency: commits lost to another writer (another partition's invocation, the compactor) and re-planned
        new cloudwatch.GraphWidget({
          title: `${p.name}: Iceberg commits tried / conflicts`,
          left: [custom(METRIC.commitAttempts, 'Sum').with({ label: 'commit attempts' }), custom(METRIC.commitConflicts, 'Sum').with({ label: 'conflicts' })],
          width: 6,
        }),
      );

      const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
        const a = new cloudwatch.Alarm(this, `${p.name}-${name}`, {
          alarmDescription: `streamlake ${p.name}: ${description}`,
          metric,
          threshold,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        a.addAlarmAction(action);
        a.addOkAction(action);
        this.alarms.push(a);
      };
      alarm('OffsetLag', offsetLag, props.alarms.offsetLag, `offset lag of the event source mapping ≥ ${props.alarms.offsetLag} records`);
      alarm('Errors', fn.metricErrors({ period, statistic: 'Sum' }), props.alarms.errors, `≥ ${props.alarms.errors} failed invocations per 5 minutes (batches are being retried)`);
      alarm('QuarantineRatio', quarantineRatio, props.alarms.quarantineRatio, `quarantine ratio ≥ ${props.alarms.quarantineRatio}`);
      alarm('Freshness', freshness, props.alarms.freshnessSeconds, `data older than ${props.alarms.freshnessSeconds}s when written`);
      if (props.compactor) this.compaction(p.name, props.compactor, props.alarms, action);
    }
    if (props.compactor) {
      // timeouts and crashes too (a run that dies publishes no CompactionFailures)
      const period = Duration.minutes(props.compactor.periodMinutes);
      this.runAlarm(
        'Compactor-Errors',
        props.compactor.function.metricErrors({ period, statistic: 'Sum' }),
        1,
        'streamlake compactor: a maintenance run failed (Errors of the function)',
        action,
      );
    }
  }

  /** Per pipeline: what its maintenance runs did and what they left, with their alarms (one datapoint per run). */
  private compaction(pipeline: string, compactor: MonitoredCompactor, alarms: AlarmConfig, action: cloudwatch.IAlarmAction): void {
    const period = Duration.minutes(compactor.periodMinutes);
    const metric = (metricName: string, statistic: string, label?: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [PIPELINE_DIMENSION]: pipeline, service: COMPACTOR_SERVICE }, statistic, period, label });
    // unlabelled for the alarms (a plain metric alarm), labelled on the dashboard
    const failures = metric(COMPACTION_METRIC.failures, 'Sum');
    const oldest = metric(COMPACTION_METRIC.oldestUncompactedPartitionAgeSeconds, 'Maximum');
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${pipeline}: compaction, files`,
        left: [metric(COMPACTION_METRIC.filesRewritten, 'Sum', 'files rewritten'), metric(COMPACTION_METRIC.filesWritten, 'Sum', 'files written')],
        right: [metric(COMPACTION_METRIC.recordsRewritten, 'Sum', 'records rewritten')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${pipeline}: snapshots expired / orphans deleted`,
        left: [metric(COMPACTION_METRIC.snapshotsExpired, 'Sum', 'snapshots expired'), metric(COMPACTION_METRIC.orphansDeleted, 'Sum', 'orphan files deleted')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${pipeline}: compaction failures / conflicts`,
        left: [failures.with({ label: 'tables failed' }), metric(COMPACTION_METRIC.conflicts, 'Sum', 'commit conflicts')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({ title: `${pipeline}: oldest uncompacted partition`, left: [oldest.with({ label: 'age, s' })], leftYAxis: { min: 0 }, width: 6 }),
    );
    this.runAlarm(`${pipeline}-CompactionFailures`, failures, 1, `streamlake ${pipeline}: ≥ 1 table failed its maintenance run`, action);
    const hours = alarms.uncompactedPartitionAgeHours;
    this.runAlarm(
      `${pipeline}-UncompactedPartitionAge`,
      oldest,
      hours * 3600,
      `streamlake ${pipeline}: a closed day partition that ended more than ${hours} h ago still holds small files after compaction`,
      action,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
  }

  /** An alarm on a metric published once per run: the run's own datapoint decides. */
  private runAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    action: cloudwatch.IAlarmAction,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): void {
    const a = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(action);
    a.addOkAction(action);
    this.alarms.push(a);
  }
}
