/** ensureIcebergTables against Apache Iceberg's own REST catalog server, run locally. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RestCatalogClient } from '../../../lambda/adapters/rest-catalog';
import { ROW_GROUP_SIZE_PROPERTY } from '../../../lambda/lake/compaction';
import { ensureIcebergTables, LAKE_TABLE_PROPERTIES, tableLocation } from '../../../lambda/lake/ensure-tables';
import { icebergSchema } from '../../../lambda/lake/iceberg-schema';
import { directoryLocation } from '../../../lambda/lake/table-files';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';
import { icebergTables } from '../../../model/lake-tables';
import { sales } from '../../../pipelines/sales';

jest.setTimeout(60_000);

describe('ensureIcebergTables', () => {
  let root: string;
  let server: RunningRestCatalog;
  let catalog: RestCatalogClient;

  beforeAll(async () => {
    ({ root, server, catalog } = await startTestCatalog('streamlake-ensure-tables'));
  }, 120_000);
  afterAll(async () => {
    await stopTestCatalog({ root, server });
  });

  it("creates the namespace and the pipeline's tables at <root>iceberg/<table> with the spec's schema, day partition and properties; a second call changes nothing", async () => {
    const lake = directoryLocation(join(root, 'one'));
    const defs = icebergTables(sales);
    expect(await ensureIcebergTables(catalog, sales, lake, 'one')).toEqual(['sales_events', 'sales_quarantine', 'sales_region_10m_partials']);
    const uuids: string[] = [];
    for (const t of defs) {
      const { metadata } = await catalog.loadTable('one', t.name);
      uuids.push(metadata['table-uuid']);
      expect(metadata.location.replace(/^file:\/+/, 'file:/')).toBe(`${lake}iceberg/${t.name}`);
      expect(metadata['format-version']).toBe(2);
      expect(metadata.schemas.at(-1)!.fields).toEqual(icebergSchema(t.schema).fields);
      const source = icebergSchema(t.schema).fields.find((f) => f.name === t.partitionColumn)!;
      expect(metadata['partition-specs'].at(-1)!.fields).toEqual([{ 'source-id': source.id, 'field-id': 1000, name: `${t.partitionColumn}_day`, transform: 'day' }]);
      expect(metadata.properties).toMatchObject({ ...LAKE_TABLE_PROPERTIES, 'streamlake.pipeline': 'sales', 'streamlake.kind': t.kind });
    }
    expect(await ensureIcebergTables(catalog, sales, lake, 'one')).toEqual([]);
    expect(await Promise.all(defs.map(async (t) => (await catalog.loadTable('one', t.name)).metadata['table-uuid']))).toEqual(uuids);
  });

  it('gives a table created without them the properties it lacks, keeps the values it has, and commits nothing when none lacks', async () => {
    const lake = directoryLocation(join(root, 'older'));
    await ensureIcebergTables(catalog, sales, lake, 'older');
    const [events, ...others] = icebergTables(sales).map((t) => t.name);
    // as an earlier version left it: no metadata-file property; a row group size someone chose
    await catalog.commitTable('older', events, {
      requirements: [],
      updates: [
        { action: 'remove-properties', removals: Object.keys(LAKE_TABLE_PROPERTIES) },
        { action: 'set-properties', updates: { [ROW_GROUP_SIZE_PROPERTY]: '1048576' } },
      ],
    });
    const logLength = async (t: string) => (await catalog.loadTable('older', t)).metadata['metadata-log']?.length ?? 0;
    const before = await Promise.all(others.map(logLength));
    expect(await ensureIcebergTables(catalog, sales, lake, 'older')).toEqual([]);
    const { metadata } = await catalog.loadTable('older', events);
    expect(metadata.properties).toMatchObject({ ...LAKE_TABLE_PROPERTIES, [ROW_GROUP_SIZE_PROPERTY]: '1048576' });
    // the tables that had every property: no commit
    expect(await Promise.all(others.map(logLength))).toEqual(before);
    const after = await logLength(events);
    await ensureIcebergTables(catalog, sales, lake, 'older');
    expect(await logLength(events)).toBe(after);
  });

  it('two processors ensuring at once: each table is created once, neither fails', async () => {
    const lake = directoryLocation(join(root, 'two'));
    const created = await Promise.all([ensureIcebergTables(catalog, sales, lake, 'two'), ensureIcebergTables(catalog, sales, lake, 'two')]);
    expect(created.flat().sort()).toEqual(
      icebergTables(sales)
        .map((t) => t.name)
        .sort(),
    );
  });

  it('a table another process created between the check and the create (409) is taken as there', async () => {
    const lake = directoryLocation(join(root, 'three'));
    await ensureIcebergTables(catalog, sales, lake, 'three');
    const creates: number[] = [];
    // every check answers "no such table", as it did just before the other process created it
    const late = new RestCatalogClient({
      uri: server.url,
      fetch: async (input, init) => {
        if (init?.method === 'HEAD') return new Response(null, { status: 404 });
        const res = await fetch(input, init);
        if (init?.method === 'POST' && /\/tables$/.test(String(input))) creates.push(res.status);
        return res;
      },
    });
    expect(await ensureIcebergTables(late, sales, lake, 'three')).toEqual([]);
    expect(creates).toEqual([409, 409, 409]);
  });

  it('a create that loses its race inside the catalog (HTTP 500 after the other one wrote) is taken as there once the object exists; a 500 for an object that is not there still fails', async () => {
    const lake = directoryLocation(join(root, 'four'));
    const answered: string[] = [];
    // the first create of the namespace and of each table goes through, then answers 500 as the
    // JDBC catalog does when its INSERT loses to a concurrent one
    const racing = new RestCatalogClient({
      uri: server.url,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (init?.method !== 'POST' || !/\/(namespaces|tables)$/.test(String(input))) return res;
        answered.push(`${/tables$/.test(String(input)) ? 'table' : 'namespace'} ${res.status}`);
        return new Response(JSON.stringify({ error: { message: 'UncheckedSQLException: Failed to execute: INSERT', type: 'UncheckedSQLException', code: 500 } }), { status: 500 });
      },
    });
    expect(await ensureIcebergTables(racing, sales, lake, 'four')).toEqual([]);
    expect(answered).toEqual(['namespace 200', 'table 200', 'table 200', 'table 200']);
    expect(await Promise.all(icebergTables(sales).map((t) => catalog.tableExists('four', t.name)))).toEqual([true, true, true]);

    // the catalog failing without creating anything is still an error
    const failing = new RestCatalogClient({
      uri: server.url,
      fetch: async (input, init) => (init?.method === 'POST' ? new Response('{"error":{"message":"down","type":"X","code":500}}', { status: 500 }) : fetch(input, init)),
    });
    await expect(ensureIcebergTables(failing, sales, lake, 'five')).rejects.toThrow(/create namespace five .*HTTP 500/);
    expect(await catalog.namespaceExists('five')).toBe(false);
  });

  it("keeps the last 100 metadata files of a table, not one per commit: the catalog deletes those that fall out of the table's metadata log", async () => {
    const dir = join(root, 'five');
    await ensureIcebergTables(catalog, sales, directoryLocation(dir), 'five');
    const metadataFiles = () => readdirSync(join(dir, 'iceberg', 'sales_events', 'metadata')).filter((f) => f.endsWith('.metadata.json'));
    const commits = 130;
    for (let i = 0; i < commits; i++)
      await catalog.commitTable('five', 'sales_events', { requirements: [], updates: [{ action: 'set-properties', updates: { 'test.commit': String(i) } }] });
    const { metadata } = await catalog.loadTable('five', 'sales_events');
    expect(metadata.properties?.['test.commit']).toBe(String(commits - 1));
    expect(metadata['metadata-log']).toHaveLength(100);
    // the current file and the 100 its log lists; the 30 older ones are gone
    expect(metadataFiles()).toHaveLength(101);
  });

  it('places a table under the root whether or not the root ends with a slash', () => {
    expect(tableLocation('s3://bucket', 'sales_events')).toBe('s3://bucket/iceberg/sales_events');
    expect(tableLocation('s3://bucket/', 'sales_events')).toBe('s3://bucket/iceberg/sales_events');
  });
});
