/**
 * A compactor process for the kill test (test/lambda/lake/compactor.test.ts): compacts one sales
 * table and, at its first commit, says `committing` on stdout and waits there forever, so the test
 * can SIGKILL it between writing its files and committing them.
 *
 * Usage: tsx test/support/compactor-child.ts <catalog uri> <namespace> <lake dir> <table>
 */
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { RestCatalogClient } from '../../lambda/adapters/rest-catalog';
import { IcebergCompactor } from '../../lambda/lake/compactor';
import { directoryLocation, storeTableFiles } from '../../lambda/lake/table-files';
import { sales } from '../../pipelines/sales';

async function main(): Promise<void> {
  const [uri, namespace, dir, table] = process.argv.slice(2);
  const stall: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (init?.method === 'POST' && /\/tables\/[^/?]+$/.test(url)) {
      process.stdout.write('committing\n');
      setInterval(() => undefined, 60_000);
      return new Promise<Response>(() => undefined);
    }
    return fetch(input, init);
  };
  const files = storeTableFiles(new LocalLakeStore(dir), directoryLocation(dir));
  await new IcebergCompactor({ catalog: new RestCatalogClient({ uri, fetch: stall, timeoutMs: 3_600_000 }), files, namespace }).compact(sales, table, { quietMs: 0 });
  process.stdout.write('committed\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
