import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, PIPELINE_DIMENSION } from '../../model/metric-names';
import type { AlarmConfig } from '../config';

export interface MonitoredPipeline {
  readonly name: string;
  readonly function: lambda.IFunction;
}

export interface MonitoringProps {
  readonly dashboardName: string;
  readonly pipelines: readonly MonitoredPipeline[];
  readonly alarms: AlarmConfig;
}

/**
 * A CloudWatch dashboard (offset lag, invocations, errors, duration, throttles, records processed
 * and quarantined, freshness) and alarms (offset lag, errors, quarantine ratio, freshness) that
 * notify an SNS topic (KMS-encrypted, optional e-mail subscription).
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
      // OffsetLag: emitted by Lambda for Kafka event sources (Lambda developer guide, "Event source mapping metrics")
      const offsetLag = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'OffsetLag', dimensionsMap: { FunctionName: fn.functionName }, statistic: 'Maximum', period });
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
        new cloudwatch.GraphWidget({ title: `${p.name}: offset lag`, left: [offsetLag], width: 6 }),
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
      alarm('OffsetLag', offsetLag, props.alarms.offsetLag, `offset lag ≥ ${props.alarms.offsetLag} records`);
      alarm('Errors', fn.metricErrors({ period, statistic: 'Sum' }), props.alarms.errors, `≥ ${props.alarms.errors} failed invocations per 5 minutes (batches are being retried)`);
      alarm('QuarantineRatio', quarantineRatio, props.alarms.quarantineRatio, `quarantine ratio ≥ ${props.alarms.quarantineRatio}`);
      alarm('Freshness', freshness, props.alarms.freshnessSeconds, `data older than ${props.alarms.freshnessSeconds}s when written`);
    }
  }
}
