/**
 * A thin client of the Apache Iceberg REST catalog protocol, the one the processors use to commit
 * their snapshots: the Glue Data Catalog's Iceberg REST endpoint in AWS
 * (`https://glue.<region>.amazonaws.com/iceberg`, warehouse = the account id, SigV4 through the
 * `sign` hook, see ./sigv4), Apache Iceberg's own REST catalog server locally
 * (local/catalog/rest-catalog-server.ts).
 *
 * It covers what the processors and the compactor need: `config`, `ensureNamespace`,
 * `createTable`, `loadTable`, `tableExists`, `commitTable` (requirements + updates, built by the
 * caller as plain typed JSON) and `dropTable`. It builds no metadata itself.
 *
 * Why not the npm package iceberg-js (1.0.0, which does commit caller-given requirements and
 * updates): it declares Node >= 22 while streamlake supports Node 20; its auth hook sees no request,
 * so SigV4 (which signs method, URL and body) would have to replace its `fetch`; it has no request
 * timeout; it ignores the server's `namespace-separator`; it parses 64-bit snapshot ids into
 * doubles (see below); and its errors would have to be mapped into streamlake's family anyway.
 * What remains is a few endpoints over `fetch`, written here.
 *
 * 64-bit ids: snapshot ids are random 63-bit longs (Iceberg Java and pyiceberg draw them from a
 * UUID), beyond a JavaScript number's 53 bits. Responses are parsed so that every `snapshot-id`,
 * `parent-snapshot-id` and `current-snapshot-id` is a `bigint` (and any other integer too large for
 * a number too), and `bigint`s in requests are written as JSON integers.
 *
 * Errors (all `StreamlakeError`s, see model/errors.ts):
 * - `CommitConflictError` (retriable): HTTP 409 on a commit, a requirement no longer holds
 *   (`CommitFailedException`): reload the table, rebuild the commit, retry with backoff;
 * - `CommitStateUnknownError` (retriable): HTTP 500/502/504 or a lost connection during a commit,
 *   which may or may not have been applied: the retry must re-read the table first;
 * - `CatalogUnavailableError` (retriable, an `InfrastructureError`): connection refused, timeout,
 *   5xx, 429 or 419 on anything else;
 * - `CatalogNotFoundError` (not retriable): 404, no such namespace or table;
 * - `CatalogRequestError` (not retriable): 400 and the other 4xx (bad request, forbidden, already
 *   exists …). Each message says what was asked and what the catalog answered.
 */
import { InfrastructureError, StreamlakeError } from '../../model/errors';

/** A namespace: its levels (`['streamlake']`), or one level as a string. */
export type Namespace = string | readonly string[];

/** The request as it will be sent, for the `sign` hook (the URL is final, query included). */
export interface CatalogHttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Returns the request with its authentication added (e.g. SigV4 headers); called before every request. */
export type RequestSigner = (request: CatalogHttpRequest) => Promise<CatalogHttpRequest> | CatalogHttpRequest;

export interface RestCatalogOptions {
  /** The catalog's base URI, before `/v1`: `http://127.0.0.1:<port>`, `https://glue.<region>.amazonaws.com/iceberg`. */
  readonly uri: string;
  /** Sent as `GET /v1/config?warehouse=…` (Glue: the account id); the catalog may answer with a prefix. */
  readonly warehouse?: string;
  /** The path prefix when the catalog's config sets none (Glue: `catalogs/<account id>`). */
  readonly prefix?: string;
  readonly sign?: RequestSigner;
  /** Per request, connection included. @default 20_000 */
  readonly timeoutMs?: number;
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

// ---------------------------------------------------------------------------------------------
// The protocol's JSON, as far as streamlake uses it (names as on the wire; see the Iceberg REST
// catalog OpenAPI spec and the table spec). Unknown fields pass through untouched.

export type PrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'timestamp_ns'
  | 'timestamptz_ns'
  | 'string'
  | 'uuid'
  | 'binary'
  | `decimal(${number}, ${number})`
  | `fixed[${number}]`;

export interface StructField {
  readonly id: number;
  readonly name: string;
  readonly type: IcebergType;
  readonly required: boolean;
  readonly doc?: string;
}
export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly StructField[];
}
export interface ListType {
  readonly type: 'list';
  readonly 'element-id': number;
  readonly element: IcebergType;
  readonly 'element-required': boolean;
}
export interface MapType {
  readonly type: 'map';
  readonly 'key-id': number;
  readonly key: IcebergType;
  readonly 'value-id': number;
  readonly value: IcebergType;
  readonly 'value-required': boolean;
}
export type IcebergType = PrimitiveType | StructType | ListType | MapType;

export interface Schema extends StructType {
  readonly 'schema-id'?: number;
  readonly 'identifier-field-ids'?: readonly number[];
}

export interface PartitionField {
  readonly 'field-id'?: number;
  readonly 'source-id': number;
  readonly name: string;
  /** `identity`, `year`, `month`, `day`, `hour`, `bucket[N]`, `truncate[W]`, `void`. */
  readonly transform: string;
}
export interface PartitionSpec {
  readonly 'spec-id'?: number;
  readonly fields: readonly PartitionField[];
}

export interface SortField {
  readonly 'source-id': number;
  readonly transform: string;
  readonly direction: 'asc' | 'desc';
  readonly 'null-order': 'nulls-first' | 'nulls-last';
}
export interface SortOrder {
  readonly 'order-id': number;
  readonly fields: readonly SortField[];
}

export interface Snapshot {
  readonly 'snapshot-id': bigint;
  readonly 'parent-snapshot-id'?: bigint;
  readonly 'sequence-number'?: number;
  readonly 'timestamp-ms': number;
  readonly 'manifest-list': string;
  /** `operation` plus free-form string properties (streamlake records topic, partition, offsets here). */
  readonly summary: { readonly operation: 'append' | 'replace' | 'overwrite' | 'delete' } & Readonly<Record<string, string>>;
  readonly 'schema-id'?: number;
}

export interface SnapshotReference {
  readonly type: 'branch' | 'tag';
  readonly 'snapshot-id': bigint;
  readonly 'max-ref-age-ms'?: number;
  readonly 'max-snapshot-age-ms'?: number;
  readonly 'min-snapshots-to-keep'?: number;
}

export interface TableMetadata {
  readonly 'format-version': number;
  readonly 'table-uuid': string;
  readonly location: string;
  readonly 'last-updated-ms': number;
  readonly 'last-sequence-number'?: number;
  readonly 'last-column-id': number;
  readonly schemas: readonly Schema[];
  readonly 'current-schema-id': number;
  readonly 'partition-specs': readonly PartitionSpec[];
  readonly 'default-spec-id': number;
  readonly 'last-partition-id': number;
  readonly properties?: Readonly<Record<string, string>>;
  /** Absent or -1 when the table has no snapshot. */
  readonly 'current-snapshot-id'?: bigint;
  readonly snapshots?: readonly Snapshot[];
  readonly refs?: Readonly<Record<string, SnapshotReference>>;
  readonly 'snapshot-log'?: readonly { readonly 'snapshot-id': bigint; readonly 'timestamp-ms': number }[];
  readonly 'metadata-log'?: readonly { readonly 'metadata-file': string; readonly 'timestamp-ms': number }[];
  readonly 'sort-orders'?: readonly SortOrder[];
  readonly 'default-sort-order-id'?: number;
}

/** What load, create and commit answer. */
export interface LoadTableResult {
  readonly 'metadata-location'?: string;
  readonly metadata: TableMetadata;
  /** Table-specific client configuration (e.g. FileIO settings). */
  readonly config?: Readonly<Record<string, string>>;
}

export interface CommitTableResult {
  readonly 'metadata-location': string;
  readonly metadata: TableMetadata;
}

export interface CreateTableRequest {
  readonly name: string;
  /** An explicit table location (`s3://bucket/prefix/table`, `file:///…`); else the catalog's default. */
  readonly location?: string;
  readonly schema: Schema;
  readonly 'partition-spec'?: PartitionSpec;
  readonly 'write-order'?: SortOrder;
  readonly 'stage-create'?: boolean;
  /** `format-version` ('2') and the table's other properties. */
  readonly properties?: Readonly<Record<string, string>>;
}

export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  /** `snapshot-id: null`: the ref must not exist yet (the table's first snapshot). */
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly 'snapshot-id': bigint | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly 'last-assigned-field-id': number }
  | { readonly type: 'assert-current-schema-id'; readonly 'current-schema-id': number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly 'last-assigned-partition-id': number }
  | { readonly type: 'assert-default-spec-id'; readonly 'default-spec-id': number }
  | { readonly type: 'assert-default-sort-order-id'; readonly 'default-sort-order-id': number };

export type TableUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly 'format-version': number }
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly 'last-column-id'?: number }
  /** `schema-id: -1`: the schema added last in this commit. */
  | { readonly action: 'set-current-schema'; readonly 'schema-id': number }
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  | { readonly action: 'set-default-spec'; readonly 'spec-id': number }
  | { readonly action: 'add-sort-order'; readonly 'sort-order': SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly 'sort-order-id': number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | ({ readonly action: 'set-snapshot-ref'; readonly 'ref-name': string } & SnapshotReference)
  | { readonly action: 'remove-snapshots'; readonly 'snapshot-ids': readonly bigint[] }
  | { readonly action: 'remove-snapshot-ref'; readonly 'ref-name': string }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] };

export interface TableCommit {
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly TableUpdate[];
}

export interface CatalogConfig {
  readonly defaults: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, string>>;
  readonly endpoints?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Errors

/** What was asked, and what the catalog answered (absent when no answer came). */
export interface CatalogErrorDetails {
  /** e.g. `commit table streamlake.events`. */
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  /** The error model's `type`, e.g. `CommitFailedException`, `NoSuchTableException`. */
  readonly type?: string;
  readonly catalogMessage?: string;
}

function describe(d: CatalogErrorDetails): string {
  const answer = d.status === undefined ? d.catalogMessage : `HTTP ${d.status}${d.type ? ` ${d.type}` : ''}${d.catalogMessage ? `: ${d.catalogMessage}` : ''}`;
  return `Iceberg REST catalog: ${d.operation} (${d.method} ${d.url}) failed: ${answer}`;
}

/** The catalog is unreachable, timed out, throttled or failed (5xx): the batch is retried. */
export class CatalogUnavailableError extends InfrastructureError {
  override readonly name: string = 'CatalogUnavailableError';
  constructor(
    readonly details: CatalogErrorDetails,
    options?: ErrorOptions,
  ) {
    super(describe(details), options);
  }
}

/** A commit requirement no longer holds (another writer committed first): reload, rebuild, retry with backoff. */
export class CommitConflictError extends InfrastructureError {
  override readonly name: string = 'CommitConflictError';
  constructor(
    readonly details: CatalogErrorDetails,
    options?: ErrorOptions,
  ) {
    super(describe(details), options);
  }
}

/** A commit may or may not have been applied (500/502/504 or a lost connection): re-read the table before retrying. */
export class CommitStateUnknownError extends InfrastructureError {
  override readonly name: string = 'CommitStateUnknownError';
  constructor(
    readonly details: CatalogErrorDetails,
    options?: ErrorOptions,
  ) {
    super(describe(details), options);
  }
}

/** No such namespace or table (404): retrying cannot help until someone creates it. */
export class CatalogNotFoundError extends StreamlakeError {
  override readonly name: string = 'CatalogNotFoundError';
  readonly retriable = false;
  constructor(readonly details: CatalogErrorDetails) {
    super(describe(details));
  }
}

/** The catalog refused the request (400, 403, 409 already exists, …): the same request fails again. */
export class CatalogRequestError extends StreamlakeError {
  override readonly name: string = 'CatalogRequestError';
  readonly retriable = false;
  constructor(readonly details: CatalogErrorDetails) {
    super(describe(details));
  }
}

// ---------------------------------------------------------------------------------------------
// JSON with 64-bit integers

const INT64_MARK = '\u0000streamlake-int64:';
/** The same marker as JSON text (the NUL escaped). */
const INT64_MARK_JSON = '\\u0000streamlake-int64:';
/** Keys whose integer values are 64-bit snapshot ids, made `bigint` whatever their size. */
const INT64_KEYS = new Set(['snapshot-id', 'parent-snapshot-id', 'current-snapshot-id']);
/**
 * Quotes (with the marker) every integer literal of 16+ digits outside strings, so JSON.parse keeps
 * its digits. One pass over the text; strings are skipped whole. Outside strings, in valid JSON, a
 * digit or '-' always starts a number.
 */
function markLongIntegers(text: string): string {
  let out = '';
  let copied = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end === -1) return text; // unterminated: JSON.parse will say so
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c /* backslash */) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let j = c === 0x2d ? i + 1 : i;
      const first = j;
      while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
      const next = text.charCodeAt(j);
      // an integer (no fraction, no exponent) too long to be sure it fits a double exactly
      const integer = next !== 0x2e /* . */ && next !== 0x65 /* e */ && next !== 0x45; /* E */
      if (integer && j - first >= 16) {
        out += `${text.slice(copied, start)}"${INT64_MARK_JSON}${text.slice(start, j)}"`;
        copied = j;
      }
      // the rest of the number token (fraction, exponent) is not a number of its own
      while (j < n && /[0-9.eE+-]/.test(text[j])) j++;
      i = j - 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Marked integers and the ids under INT64_KEYS become bigints, in place (faster than a JSON.parse reviver). */
function reviveIntegers(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) !== 0 || !value.startsWith(INT64_MARK)) return value;
    const n = BigInt(value.slice(INT64_MARK.length));
    return INT64_KEYS.has(key) || n > MAX_SAFE || n < -MAX_SAFE ? n : Number(n);
  }
  if (typeof value === 'number') return INT64_KEYS.has(key) && Number.isInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveIntegers(value[i], '');
  } else {
    const record = value as Record<string, unknown>;
    for (const k in record) {
      const revived = reviveIntegers(record[k], k);
      if (revived !== record[k]) record[k] = revived;
    }
  }
  return value;
}

/** JSON.parse, except that 64-bit ids and integers beyond 2^53 become `bigint`s, exactly. */
export function parseCatalogJson(text: string): unknown {
  return reviveIntegers(JSON.parse(markLongIntegers(text)), '');
}

/** JSON.stringify, writing `bigint`s as JSON integers. */
export function stringifyCatalogJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${INT64_MARK}${v}` : v)).replace(/"\\u0000streamlake-int64:(-?\d+)"/g, '$1');
}

/** The snapshot the table's `main` branch (or another ref) points at; undefined for a table with none. */
export function refSnapshotId(metadata: TableMetadata, ref = 'main'): bigint | undefined {
  const fromRef = metadata.refs?.[ref]?.['snapshot-id'];
  if (fromRef !== undefined) return fromRef;
  const current = metadata['current-snapshot-id'];
  return ref === 'main' && current !== undefined && current !== null && current >= 0n ? current : undefined;
}

// ---------------------------------------------------------------------------------------------
// The client

type Method = CatalogHttpRequest['method'];

interface Call {
  readonly operation: string;
  readonly method: Method;
  /** After `/v1/` (and the prefix, unless `unprefixed`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly unprefixed?: boolean;
  /** A commit: 409 is a conflict, 500/502/504 and lost connections leave its state unknown. */
  readonly commit?: boolean;
}

/** Connection errors where the request never reached the server (nothing can have been applied). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const m = e instanceof Error ? e.message : String(e);
    if (m && !parts.includes(m)) parts.push(m);
  }
  return parts.join(': ');
}

export class RestCatalogClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private configPromise?: Promise<{ readonly config: CatalogConfig; readonly prefix: string; readonly separator: string }>;

  constructor(private readonly options: RestCatalogOptions) {
    this.base = options.uri.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** The base URI this client talks to. */
  get uri(): string {
    return this.base;
  }

  /** `GET /v1/config`: the catalog's defaults and overrides (asked once, then cached; a failure is asked again). */
  async config(): Promise<CatalogConfig> {
    return (await this.resolved()).config;
  }

  /** Creates the namespace unless it exists; true when this call created it. */
  async ensureNamespace(namespace: Namespace, properties: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const levels = typeof namespace === 'string' ? [namespace] : [...namespace];
    try {
      await this.call({ operation: `create namespace ${levels.join('.')}`, method: 'POST', path: 'namespaces', body: { namespace: levels, properties } });
      return true;
    } catch (err) {
      if (err instanceof CatalogRequestError && err.details.status === 409) return false;
      // a concurrent create can lose its race inside the catalog (the JDBC catalog answers a duplicate
      // key with 500 instead of 409): what counts is whether the namespace is there now
      if (err instanceof CatalogUnavailableError && (await this.namespaceExists(namespace).catch(() => false))) return false;
      throw err;
    }
  }

  /** `HEAD …/namespaces/{ns}`. */
  async namespaceExists(namespace: Namespace): Promise<boolean> {
    const { ns, label } = await this.namespacePath(namespace);
    try {
      await this.call({ operation: `check namespace ${label}`, method: 'HEAD', path: `namespaces/${ns}` });
      return true;
    } catch (err) {
      if (err instanceof CatalogNotFoundError) return false;
      throw err;
    }
  }

  /** `POST …/namespaces/{ns}/tables`: creates the table (409 already exists → CatalogRequestError). */
  async createTable(namespace: Namespace, request: CreateTableRequest): Promise<LoadTableResult> {
    const { ns, label } = await this.namespacePath(namespace);
    return (await this.call({ operation: `create table ${label}.${request.name}`, method: 'POST', path: `namespaces/${ns}/tables`, body: request })) as LoadTableResult;
  }

  /** `GET …/tables/{table}`: the table's current metadata and where it is stored. */
  async loadTable(namespace: Namespace, table: string, options: { readonly snapshots?: 'all' | 'refs' } = {}): Promise<LoadTableResult> {
    const { ns, label } = await this.namespacePath(namespace);
    return (await this.call({
      operation: `load table ${label}.${table}`,
      method: 'GET',
      path: `namespaces/${ns}/tables/${encodeURIComponent(table)}`,
      query: { snapshots: options.snapshots },
    })) as LoadTableResult;
  }

  /** `HEAD …/tables/{table}`. */
  async tableExists(namespace: Namespace, table: string): Promise<boolean> {
    const { ns, label } = await this.namespacePath(namespace);
    try {
      await this.call({ operation: `check table ${label}.${table}`, method: 'HEAD', path: `namespaces/${ns}/tables/${encodeURIComponent(table)}` });
      return true;
    } catch (err) {
      if (err instanceof CatalogNotFoundError) return false;
      throw err;
    }
  }

  /**
   * `POST …/tables/{table}`: applies `updates` if every requirement holds, atomically. A requirement
   * that no longer holds throws CommitConflictError; see the module comment for the other errors.
   */
  async commitTable(namespace: Namespace, table: string, commit: TableCommit): Promise<CommitTableResult> {
    const { ns, label } = await this.namespacePath(namespace);
    const levels = typeof namespace === 'string' ? [namespace] : [...namespace];
    return (await this.call({
      operation: `commit table ${label}.${table}`,
      method: 'POST',
      path: `namespaces/${ns}/tables/${encodeURIComponent(table)}`,
      body: { identifier: { namespace: levels, name: table }, requirements: commit.requirements, updates: commit.updates },
      commit: true,
    })) as CommitTableResult;
  }

  /** `DELETE …/tables/{table}` (`purge`: the catalog also deletes the table's files). */
  async dropTable(namespace: Namespace, table: string, options: { readonly purge?: boolean } = {}): Promise<void> {
    const { ns, label } = await this.namespacePath(namespace);
    await this.call({
      operation: `drop table ${label}.${table}`,
      method: 'DELETE',
      path: `namespaces/${ns}/tables/${encodeURIComponent(table)}`,
      query: { purgeRequested: options.purge ? 'true' : undefined },
    });
  }

  private resolved(): Promise<{ readonly config: CatalogConfig; readonly prefix: string; readonly separator: string }> {
    if (this.configPromise) return this.configPromise;
    const loading = (async () => {
      const raw = (await this.call({
        operation: 'read the catalog config',
        method: 'GET',
        path: 'config',
        query: { warehouse: this.options.warehouse },
        unprefixed: true,
      })) as Partial<CatalogConfig>;
      const config: CatalogConfig = { defaults: raw.defaults ?? {}, overrides: raw.overrides ?? {}, endpoints: raw.endpoints };
      const setting = (key: string): string | undefined => config.overrides[key] ?? (key === 'prefix' ? this.options.prefix : undefined) ?? config.defaults[key];
      // the spec's default separator is the unit separator 0x1F; servers may advertise another (url-encoded)
      return { config, prefix: (setting('prefix') ?? '').replace(/^\/+|\/+$/g, ''), separator: setting('namespace-separator') ?? '%1F' };
    })();
    this.configPromise = loading;
    // a failed attempt is not cached: the next call asks again
    loading.catch(() => {
      if (this.configPromise === loading) this.configPromise = undefined;
    });
    return loading;
  }

  private async namespacePath(namespace: Namespace): Promise<{ readonly ns: string; readonly label: string }> {
    const levels = typeof namespace === 'string' ? [namespace] : [...namespace];
    const { separator } = await this.resolved();
    return { ns: levels.map(encodeURIComponent).join(separator), label: levels.join('.') };
  }

  private async call(c: Call): Promise<unknown> {
    const prefix = c.unprefixed ? '' : (await this.resolved()).prefix;
    const query = Object.entries(c.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    const url = `${this.base}/v1/${prefix ? `${prefix}/` : ''}${c.path}${query.length > 0 ? `?${new URLSearchParams(query).toString()}` : ''}`;
    const body = c.body === undefined ? undefined : stringifyCatalogJson(c.body);
    let request: CatalogHttpRequest = {
      method: c.method,
      url,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.options.headers },
      body,
    };
    const details = { operation: c.operation, method: c.method, url };
    if (this.options.sign) {
      try {
        request = await this.options.sign(request);
      } catch (err) {
        // no credentials yet (an expired role session, the metadata endpoint slow): nothing was sent, so a retry may succeed
        throw new CatalogUnavailableError({ ...details, catalogMessage: `signing the request failed: ${errorText(err)}` }, { cause: err });
      }
    }

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await response.text();
    } catch (err) {
      const code = errorCode(err);
      const timedOut = (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
      const what = timedOut ? `no answer within ${this.timeoutMs} ms` : `${errorText(err)}${code && !errorText(err).includes(code) ? ` (${code})` : ''}`;
      if (c.commit && !(code && NOT_SENT.has(code)))
        throw new CommitStateUnknownError({ ...details, catalogMessage: `${what}; the commit may or may not have been applied` }, { cause: err });
      throw new CatalogUnavailableError({ ...details, catalogMessage: what }, { cause: err });
    }

    if (response.ok) return text.length > 0 ? parseCatalogJson(text) : undefined;

    let type: string | undefined;
    let catalogMessage: string | undefined;
    try {
      const error = (parseCatalogJson(text) as { error?: { type?: string; message?: string } }).error;
      type = error?.type;
      catalogMessage = error?.message;
    } catch {
      // not JSON (a proxy's or the servlet container's own error page): keep its text, tags stripped
    }
    catalogMessage ??=
      text
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300) || response.statusText;
    const failed = { ...details, status: response.status, type, catalogMessage };
    const status = response.status;
    if (c.commit && status === 409) throw new CommitConflictError(failed);
    if (c.commit && (status === 500 || status === 502 || status === 504)) throw new CommitStateUnknownError(failed);
    if (status >= 500 || status === 429 || status === 419 || status === 408) throw new CatalogUnavailableError(failed);
    if (status === 404) throw new CatalogNotFoundError(failed);
    throw new CatalogRequestError(failed);
  }
}
