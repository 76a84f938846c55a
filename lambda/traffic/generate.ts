/**
 * Demo traffic for the shipped pipelines, deterministic for a seed: the generator Lambda, the
 * `produce` CLI, the benchmark and the tests all use it. Pure: the clock is an argument.
 */
import { ConfigurationError } from '../../model/errors';

export interface GeneratedRecord {
  readonly key: string;
  readonly value: Buffer;
  /** Event time written into the value (epoch millis), for independent checks. */
  readonly eventTime: number;
  /** Set when the record was deliberately corrupted: the kind of damage. */
  readonly malformed?: MalformationKind;
}

export type MalformationKind = 'wrong-column-count' | 'bad-number' | 'bad-timestamp' | 'missing-field' | 'invalid-utf8' | 'not-json' | 'future-timestamp' | 'oversized';

export interface GeneratorOptions {
  /** @default 1 */
  readonly seed?: number;
  /** Event time of the first record (epoch millis). */
  readonly startTime: number;
  /** Event-time step between records, in ms (jittered ±50%). @default 10 */
  readonly stepMillis?: number;
  /** Share of records to corrupt, 0–1. @default 0 */
  readonly malformedRatio?: number;
  /** Largest event-time disorder in ms: records may be stamped up to this much earlier. @default 0 */
  readonly disorderMillis?: number;
}

/** mulberry32: small, fast and good enough for demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_COUNTRIES: readonly string[] = [
  'United States',
  'Canada',
  'Mexico',
  'Brazil',
  'Argentina',
  'United Kingdom',
  'Germany',
  'France',
  'Spain',
  'Italy',
  'Netherlands',
  'Sweden',
  'Poland',
  'India',
  'China',
  'Japan',
  'South Korea',
  'Australia',
  'New Zealand',
  'Singapore',
  'South Africa',
  'Nigeria',
  'Egypt',
  'Kenya',
  'Saudi Arabia',
  'United Arab Emirates',
  'Turkey',
  'Israel',
  // not in the reference data: these land in region "Unassigned"
  'Atlantis',
  'Wakanda',
];
const CITIES: readonly (readonly [string, string])[] = [
  ['Springfield', 'Central'],
  ['Riverside', 'North'],
  ['Fairview', 'East'],
  ['Madison', 'West'],
  ['Georgetown', 'Old Town'],
  ['Salem', 'Harbour'],
  ['Franklin', 'Hills'],
  ['Clinton', 'Downtown'],
];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const MALFORMATIONS: readonly MalformationKind[] = ['wrong-column-count', 'bad-number', 'bad-timestamp', 'missing-field', 'invalid-utf8', 'future-timestamp', 'oversized'];

abstract class BaseGenerator {
  protected readonly rng: Rng;
  protected time: number;
  protected seq = 0;
  private readonly step: number;
  private readonly malformedRatio: number;
  private readonly disorder: number;

  constructor(options: GeneratorOptions) {
    this.rng = seededRandom(options.seed ?? 1);
    this.time = options.startTime;
    this.step = options.stepMillis ?? 10;
    this.malformedRatio = options.malformedRatio ?? 0;
    this.disorder = options.disorderMillis ?? 0;
  }

  next(): GeneratedRecord {
    this.time += Math.max(0, Math.round(this.step * (0.5 + this.rng())));
    const eventTime = this.disorder > 0 ? this.time - Math.floor(this.rng() * this.disorder) : this.time;
    this.seq += 1;
    if (this.malformedRatio > 0 && this.rng() < this.malformedRatio) {
      const kind = pick(this.rng, MALFORMATIONS);
      return { ...this.malformed(kind, eventTime), malformed: kind };
    }
    return this.valid(eventTime);
  }

  batch(count: number): GeneratedRecord[] {
    return Array.from({ length: count }, () => this.next());
  }

  protected abstract valid(eventTime: number): GeneratedRecord;
  protected abstract malformed(kind: MalformationKind, eventTime: number): Omit<GeneratedRecord, 'malformed'>;
}

const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
const OVERSIZED = 70_000;

/** `recordtime,eventid,url,ip` (recordtime = epoch millis), key = ip: the clickstream reference. */
export class ClickstreamGenerator extends BaseGenerator {
  protected valid(eventTime: number): GeneratedRecord {
    const ip = `192.168.2.${Math.floor(this.rng() * 256)}`;
    const url = `www.amazon${Math.floor(this.rng() * 10)}.com`;
    return { key: ip, value: Buffer.from(`${eventTime},${this.seq},${url},${ip}`), eventTime };
  }

  protected malformed(kind: MalformationKind, eventTime: number): Omit<GeneratedRecord, 'malformed'> {
    const ip = `192.168.2.${Math.floor(this.rng() * 256)}`;
    const url = `www.amazon${Math.floor(this.rng() * 10)}.com`;
    const text = (s: string) => ({ key: ip, value: Buffer.from(s), eventTime });
    switch (kind) {
      case 'wrong-column-count':
        return text(`${eventTime},${this.seq},${url}`);
      case 'bad-number':
        return text(`${eventTime},not-a-number,${url},${ip}`);
      case 'bad-timestamp':
        return text(`yesterday,${this.seq},${url},${ip}`);
      case 'missing-field':
        return text(`${eventTime},${this.seq},,${ip}`);
      case 'invalid-utf8':
        return { key: ip, value: Buffer.concat([Buffer.from(`${eventTime},${this.seq},`), INVALID_UTF8, Buffer.from(`,${ip}`)]), eventTime };
      case 'future-timestamp':
        return text(`${eventTime + 400 * 86_400_000},${this.seq},${url},${ip}`);
      case 'oversized':
        return text(`${eventTime},${this.seq},${url}?q=${'x'.repeat(OVERSIZED)},${ip}`);
      case 'not-json':
        return text('{"not":"csv"');
    }
  }
}

/** Sales JSON events; key = customer id; a few countries are missing from the reference data. */
export class SalesGenerator extends BaseGenerator {
  private fields(eventTime: number): Record<string, unknown> {
    const [city, district] = pick(this.rng, CITIES);
    const out: Record<string, unknown> = {
      payment_id: this.seq,
      customer_id: 1000 + Math.floor(this.rng() * 9000),
      amount: Math.round((1 + this.rng() * 499) * 100) / 100,
      payment_date: new Date(eventTime).toISOString(),
      country: pick(this.rng, DEMO_COUNTRIES),
    };
    // city and district are optional in the schema: leave them out sometimes
    if (this.rng() < 0.9) out.city = city;
    if (this.rng() < 0.8) out.district = district;
    return out;
  }

  protected valid(eventTime: number): GeneratedRecord {
    const f = this.fields(eventTime);
    return { key: String(f.customer_id), value: Buffer.from(JSON.stringify(f)), eventTime };
  }

  protected malformed(kind: MalformationKind, eventTime: number): Omit<GeneratedRecord, 'malformed'> {
    const f = this.fields(eventTime);
    const key = String(f.customer_id);
    const json = (o: unknown) => ({ key, value: Buffer.from(JSON.stringify(o)), eventTime });
    switch (kind) {
      case 'wrong-column-count':
      case 'not-json':
        return { key, value: Buffer.from(JSON.stringify(f).slice(0, -3)), eventTime };
      case 'bad-number':
        return json({ ...f, amount: 'twelve' });
      case 'bad-timestamp':
        return json({ ...f, payment_date: 'last tuesday' });
      case 'missing-field': {
        const { country: _dropped, ...rest } = f;
        void _dropped;
        return json(rest);
      }
      case 'invalid-utf8':
        return { key, value: Buffer.concat([Buffer.from('{"payment_id":1,"country":"'), INVALID_UTF8, Buffer.from('"}')]), eventTime };
      case 'future-timestamp':
        return json({ ...f, payment_date: new Date(eventTime + 400 * 86_400_000).toISOString() });
      case 'oversized':
        return json({ ...f, city: 'x'.repeat(OVERSIZED) });
    }
  }
}

export function generatorFor(pipeline: string, options: GeneratorOptions): BaseGenerator {
  switch (pipeline) {
    case 'clickstream':
      return new ClickstreamGenerator(options);
    case 'sales':
      return new SalesGenerator(options);
    default:
      throw new ConfigurationError(`no generator for pipeline '${pipeline}' (clickstream, sales)`);
  }
}
export type { BaseGenerator as EventGenerator };
