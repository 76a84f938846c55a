/**
 * A small client of Trino's HTTP protocol (POST /v1/statement, then GET each nextUri until there
 * is none), on Node's fetch. Values come back as the DuckDB lake returns them: bigint as BigInt,
 * timestamps as Date (UTC), varbinary as Uint8Array, doubles as numbers.
 * @see https://trino.io/docs/current/develop/client-protocol.html
 */
import { InternalError, QueryError } from '../../model/errors';

export interface TrinoColumn {
  readonly name: string;
  /** Trino's type signature, e.g. `bigint`, `varchar(13)`, `timestamp(3)`. */
  readonly type: string;
}

export interface TrinoResult {
  readonly columns: readonly TrinoColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/** A statement Trino refused or failed: the message carries the statement and Trino's error. */
export class TrinoQueryError extends QueryError {
  override readonly name: string = 'TrinoQueryError';
  constructor(
    readonly statement: string,
    /** Trino's error message. */
    readonly trinoMessage: string,
    /** e.g. `SYNTAX_ERROR`, `DIVISION_BY_ZERO`, `INVALID_FUNCTION_ARGUMENT`. */
    readonly errorName: string,
    readonly errorType: string,
  ) {
    super(`Trino failed (${errorName}): ${trinoMessage}\n--- statement ---\n${statement}`);
  }
}

export interface TrinoSession {
  readonly user?: string;
  readonly catalog?: string;
  readonly schema?: string;
  /** Athena runs in UTC. @default UTC */
  readonly timeZone?: string;
  /** @default 300_000 */
  readonly timeoutMs?: number;
}

interface ProtocolError {
  readonly message: string;
  readonly errorName: string;
  readonly errorType: string;
}

interface ProtocolResponse {
  readonly nextUri?: string;
  readonly columns?: { readonly name: string; readonly type: string }[];
  readonly data?: unknown[][];
  readonly error?: ProtocolError;
}

const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/;

/** One value of Trino's JSON encoding, as a JavaScript value of the DuckDB lake's kind. */
export function decodeValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const base = type.trim().split(/[( ]/)[0];
  switch (base) {
    case 'bigint': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InternalError(`bigint ${String(value)} does not fit a JavaScript number exactly`);
      return BigInt(value);
    }
    case 'integer':
    case 'smallint':
    case 'tinyint':
      return value as number;
    case 'double':
    case 'real':
      return typeof value === 'string' ? Number(value) : value; // "NaN", "Infinity", "-Infinity"
    case 'timestamp': {
      // `timestamp(3)`, and `timestamp(3) with time zone` in UTC ("… UTC"); other zones stay text
      const text = / with time zone$/.test(type) ? /^(.*) (?:UTC|Z|\+00:00)$/.exec(String(value))?.[1] : String(value);
      const m = text === undefined ? null : TIMESTAMP.exec(text);
      if (!m) return value;
      const fraction = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
      return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}Z`);
    }
    case 'varbinary':
      return new Uint8Array(Buffer.from(String(value), 'base64'));
    default:
      return value; // varchar, char, boolean, date, decimal (as text), json, arrays, maps, rows
  }
}

export class TrinoClient {
  constructor(
    readonly url: string,
    readonly session: TrinoSession = {},
  ) {}

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'X-Trino-User': this.session.user ?? 'streamlake',
      'X-Trino-Source': 'streamlake',
      'X-Trino-Time-Zone': this.session.timeZone ?? 'UTC',
    };
    if (this.session.catalog) h['X-Trino-Catalog'] = this.session.catalog;
    if (this.session.schema) h['X-Trino-Schema'] = this.session.schema;
    return h;
  }

  private async call(url: string, init: RequestInit, statement: string, deadline: number): Promise<ProtocolResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, { ...init, headers: this.headers(), signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      // the protocol: 502, 503 and 504 mean "try the same URI again"
      if ([502, 503, 504].includes(res.status) && Date.now() < deadline) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
        continue;
      }
      if (res.status !== 200) throw new TrinoQueryError(statement, `HTTP ${res.status}: ${(await res.text()).trim().slice(0, 500)}`, 'HTTP_ERROR', 'EXTERNAL');
      return (await res.json()) as ProtocolResponse;
    }
  }

  /**
   * Runs one statement to completion; throws TrinoQueryError with the statement and Trino's message.
   * NO_NODES_AVAILABLE (a just-started node has not yet announced its catalogs; nothing ran) is
   * retried for up to a minute.
   */
  async query(sql: string): Promise<TrinoResult> {
    const deadline = Date.now() + (this.session.timeoutMs ?? 300_000);
    const retryUntil = Math.min(deadline, Date.now() + 60_000);
    for (;;) {
      try {
        return await this.run(sql, deadline);
      } catch (err) {
        if (!(err instanceof TrinoQueryError && err.errorName === 'NO_NODES_AVAILABLE' && Date.now() < retryUntil)) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async run(sql: string, deadline: number): Promise<TrinoResult> {
    let response = await this.call(`${this.url}/v1/statement`, { method: 'POST', body: sql }, sql, deadline);
    let columns: TrinoColumn[] | undefined;
    const raw: unknown[][] = [];
    for (;;) {
      if (response.columns && !columns) columns = response.columns.map((c) => ({ name: c.name, type: c.type }));
      if (response.data) raw.push(...response.data);
      if (response.error) throw new TrinoQueryError(sql, response.error.message, response.error.errorName, response.error.errorType);
      if (!response.nextUri) break;
      if (Date.now() > deadline) {
        await fetch(response.nextUri, { method: 'DELETE', headers: this.headers() }).catch(() => undefined);
        throw new TrinoQueryError(sql, `no result after ${(this.session.timeoutMs ?? 300_000) / 1000}s (cancelled)`, 'CLIENT_TIMEOUT', 'EXTERNAL');
      }
      response = await this.call(response.nextUri, { method: 'GET' }, sql, deadline);
    }
    const cols = columns ?? [];
    return { columns: cols, rows: raw.map((r) => r.map((v, i) => decodeValue(cols[i]?.type ?? 'unknown', v))) };
  }

  /** Rows as objects keyed by column name (the DuckDB lake's shape). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const { columns, rows } = await this.query(sql);
    return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]])));
  }
}
