/** `streamlake replay`: the lines of a file (or stdin) to a topic, one record each, at a rate. */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Message } from 'kafkajs';
import { sendPaced } from '../../produce';
import { UsageError, bootstrapFor, localKafka, parseOptions, rateOf } from '../args';

export const usage = `usage: streamlake replay --topic NAME [--file PATH|-] [--rate N] [--key-field NAME] [--bootstrap HOST:PORT]
  Publishes every non-empty line of the file (or stdin with '-' or no --file) as one record.
  --key-field    JSON field (JSONL) or CSV column number (from 1) to use as the record key`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, { topic: { type: 'string' }, file: { type: 'string' }, rate: { type: 'string' }, 'key-field': { type: 'string' }, bootstrap: { type: 'string' } });
  if (o.help) return void console.log(usage);
  if (o.topic === undefined) throw new UsageError('--topic is required');
  const file = o.file !== undefined && o.file !== '-' ? o.file : undefined;
  if (file && !existsSync(file)) throw new UsageError(`--file ${file} does not exist`);
  const rate = rateOf(o.rate, 1000);
  const keyField = o['key-field'];
  const bootstrap = await bootstrapFor(o.bootstrap);
  const kafka = localKafka(bootstrap, 'streamlake-replay');
  const keyOf = (line: string): string | undefined => {
    if (!keyField) return undefined;
    if (/^\d+$/.test(keyField)) return line.split(',')[Number(keyField) - 1];
    try {
      const v = (JSON.parse(line) as Record<string, unknown>)[keyField];
      return v === undefined ? undefined : String(v);
    } catch {
      return undefined;
    }
  };
  async function* chunks(): AsyncGenerator<Message[]> {
    const lines = createInterface({ input: file ? createReadStream(file) : process.stdin, crlfDelay: Infinity });
    let chunk: Message[] = [];
    const size = Number.isFinite(rate) ? Math.max(1, Math.ceil(rate / 10)) : 500;
    for await (const line of lines) {
      if (line.trim() === '') continue;
      chunk.push({ key: keyOf(line), value: line });
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  }
  const sent = await sendPaced(kafka, o.topic, chunks(), rate);
  console.log(`replayed ${sent} lines to ${o.topic} at ${bootstrap}`);
}
