import type { PipelineSpec } from '../model/spec';

/**
 * The "MSK + Spark Structured Streaming + schema registry" reference pipeline: sales events
 * joined with a country → region reference ("Unassigned" when missing) and aggregated over a
 * 10-minute window sliding every 5 minutes by region.
 */
export const sales: PipelineSpec = {
  name: 'sales',
  description: 'Sales JSON events joined with country/region, sales and orders per region per 10-minute window every 5 minutes',
  topic: { name: 'sales', partitions: 3 },
  value: { kind: 'json' },
  schema: [
    { name: 'payment_id', type: 'long', min: 0 },
    { name: 'customer_id', type: 'long', min: 0 },
    { name: 'amount', type: 'double', min: 0, max: 1_000_000_000 },
    { name: 'payment_date', type: 'timestamp' },
    { name: 'city', type: 'string', optional: true, maxLength: 256 },
    { name: 'district', type: 'string', optional: true, maxLength: 256 },
    { name: 'country', type: 'string', maxLength: 128 },
  ],
  eventTime: { field: 'payment_date', encoding: 'iso-8601' },
  references: [{ name: 'country_region', file: 'country_region.csv', keyColumn: 'country', columns: ['country', 'region'] }],
  enrichments: [{ kind: 'lookup', name: 'region', from: 'country', reference: 'country_region', valueColumn: 'region', default: 'Unassigned' }],
  windows: [
    {
      name: 'region_10m',
      kind: 'hopping',
      sizeSeconds: 600,
      slideSeconds: 300,
      groupBy: ['region'],
      // window updates published back to Kafka, like the reference pipeline's second topic
      summaryTopic: 'sales.summary',
      aggregates: [
        { name: 'sales', fn: 'sum', field: 'amount' },
        { name: 'orders', fn: 'count' },
      ],
    },
  ],
  allowedLatenessSeconds: 600,
};
