import type { PipelineSpec } from '../model/spec';

/**
 * The "Kafka on EC2 + Spark Streaming on EMR + Hive" reference pipeline: CSV clickstream events
 * `recordtime,eventid,url,ip` keyed by ip on a 2-partition topic, parsed into an events table,
 * with page views per URL per minute.
 */
export const clickstream: PipelineSpec = {
  name: 'clickstream',
  description: 'Clickstream CSV events (recordtime,eventid,url,ip) with per-minute page views per URL',
  topic: { name: 'clickstream', partitions: 2 },
  value: { kind: 'csv', columns: ['recordtime', 'eventid', 'url', 'ip'], delimiter: ',' },
  schema: [
    { name: 'recordtime', type: 'timestamp' },
    { name: 'eventid', type: 'long', min: 0 },
    { name: 'url', type: 'string', maxLength: 2048 },
    { name: 'ip', type: 'string', maxLength: 45 },
  ],
  eventTime: { field: 'recordtime', encoding: 'epoch-millis' },
  enrichments: [{ kind: 'derived', name: 'domain', from: 'url', fn: 'url-domain' }],
  windows: [
    {
      name: 'page_views_1m',
      kind: 'tumbling',
      sizeSeconds: 60,
      groupBy: ['url'],
      aggregates: [{ name: 'page_views', fn: 'count' }],
    },
  ],
  allowedLatenessSeconds: 120,
};
