/**
 * Avro values in a schema registry's wire format (see ../avro). Required lazily by index.ts, so
 * this module and avsc load only in Avro pipelines.
 */
import { AvroDecoder, parseAvroFrame } from '../avro';
import { Rejection } from '../quarantine';
import type { PipelineSpec } from '../../../model/spec';
import type { BytesValueDecoder } from './value-decoder';

export function avroValueDecoder(spec: PipelineSpec): BytesValueDecoder {
  const avro = new AvroDecoder(spec);
  const names = spec.schema.map((f) => f.name);
  return {
    input: 'bytes',
    decode: (value) => {
      const frame = parseAvroFrame(value);
      if (frame instanceof Rejection) return frame;
      const record = avro.decode(frame);
      if (record instanceof Rejection) return record;
      return names.map((n) => record[n]);
    },
    avro,
  };
}
