/**
 * One value decoder per format (value-decoder.ts has the interface), chosen by the spec's
 * `value.kind`.
 */
import type { PipelineSpec } from '../../../model/spec';
import { csvValueDecoder } from './csv';
import { jsonValueDecoder } from './json';
import type { ValueDecoder } from './value-decoder';

export type { BytesValueDecoder, RawFieldValues, TextValueDecoder, ValueDecoder } from './value-decoder';

/** The decoder of the spec's value format. */
export function valueDecoderFor(spec: PipelineSpec): ValueDecoder {
  switch (spec.value.kind) {
    case 'csv':
      return csvValueDecoder(spec.schema, spec.value);
    case 'json':
      return jsonValueDecoder(spec.schema);
    case 'avro': {
      // loaded only for Avro pipelines: keeps avsc out of the other processors' cold start
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: avsc loads only for Avro pipelines (cold start of the others)
      const { avroValueDecoder } = require('./avro') as typeof import('./avro');
      return avroValueDecoder(spec);
    }
  }
}
