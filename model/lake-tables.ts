/**
 * The Apache Iceberg tables a pipeline writes, derived from its spec: `<p>_events`,
 * `<p>_quarantine` and `<p>_<window>_partials`, each with its columns and the column its
 * `day()` partition is taken from (events: event time; quarantine: Kafka timestamp, the only time
 * a bad record surely has; partials: window start). The processor, the local catalog, the local
 * Athena and the CDK app all read this list.
 */
import type { PipelineSpec, WindowSpec } from './spec';
import { eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from './tables';

export type LakeTableKind = 'events' | 'quarantine' | 'partials';

export interface IcebergTableDef {
  readonly name: string;
  readonly kind: LakeTableKind;
  /** The window, for partials. */
  readonly window?: WindowSpec;
  readonly schema: TableSchema;
  /** The timestamp column of the table's `day()` partition. */
  readonly partitionColumn: string;
  readonly description: string;
}

export const eventsTableName = (spec: PipelineSpec): string => `${spec.name}_events`;
export const quarantineTableName = (spec: PipelineSpec): string => `${spec.name}_quarantine`;
export const partialsTableName = (spec: PipelineSpec, w: WindowSpec): string => `${spec.name}_${w.name}_partials`;

export function icebergTables(spec: PipelineSpec): IcebergTableDef[] {
  return [
    {
      name: eventsTableName(spec),
      kind: 'events',
      schema: eventsSchema(spec),
      partitionColumn: spec.eventTime.field,
      description: `${spec.name} events, one row per Kafka record`,
    },
    {
      name: quarantineTableName(spec),
      kind: 'quarantine',
      schema: quarantineSchema(),
      partitionColumn: 'kafka_timestamp',
      description: `${spec.name} quarantined records with reason and raw bytes, one row per Kafka record`,
    },
    ...(spec.windows ?? []).map((w): IcebergTableDef => ({
      name: partialsTableName(spec, w),
      kind: 'partials',
      window: w,
      schema: partialsSchema(spec, w),
      partitionColumn: 'window_start',
      description: `${spec.name} ${w.name} partial aggregates: one row per committed batch, window and keys (merged by the ${spec.name}_${w.name} view)`,
    })),
  ];
}
