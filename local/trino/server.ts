/**
 * A local Trino (Athena engine v3's upstream) for the tests and `query --engine trino`: the
 * server core and the Hive connector from Maven Central (scripts/install-trino.sh, once, into
 * .streamlake/trino/<version>/), run with a Java 24+ (./java.ts) as one coordinator that also
 * executes, on 127.0.0.1 and a free port, with a small heap. Its Hive catalog `awsdatacatalog`
 * (Athena's name for the Glue catalog) keeps a file metastore and reads the lake directory through
 * Trino's native local file system (`local:///lake/…`), with Athena's partition projection on.
 * On request it also has an Iceberg catalog `iceberg` (Athena engine v3 reads Iceberg tables with
 * this connector) over a REST catalog, e.g. the local Apache Iceberg REST catalog server.
 *
 * The JVM runs under a small bash wrapper that holds a pipe from this process: when this process
 * ends in any way (a crashed or killed test included) the pipe closes and the wrapper stops the
 * JVM, so no Trino outlives its user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, isRunning, killOnExit, PrerequisiteError } from '../process';
import { TrinoClient, TrinoQueryError, type TrinoSession } from './client';
import { ensureJava, type JavaInstall } from './java';
import { InfrastructureError } from '../../model/errors';

/** The newest Trino on Maven Central when this was written. Override with STREAMLAKE_TRINO_VERSION. */
export const DEFAULT_TRINO_VERSION = '476';
export const LOCAL_TRINO_VERSION = process.env.STREAMLAKE_TRINO_VERSION || DEFAULT_TRINO_VERSION;
/** Athena's name for the Glue Data Catalog; the local Hive catalog takes it too. */
export const TRINO_CATALOG = 'awsdatacatalog';
/** Where the lake directory appears to Trino. */
export const TRINO_LAKE_ROOT = 'local:///lake/';
/** The Iceberg catalog's name, when the server has one (TrinoServerOptions.iceberg). */
export const TRINO_ICEBERG_CATALOG = 'iceberg';
/** Plugins fetched after the core install: install-trino.sh marks each with `.plugin-<name>`. */
const EXTRA_PLUGINS = ['iceberg'];

const NEED_MAVEN = 'Maven is needed once to fetch Trino from Maven Central: install it (e.g. apt-get install maven), then run bash scripts/install-trino.sh';

/** The unpacked server (bin/, lib/, plugin/hive/, plugin/iceberg/) of `version`; fetched with scripts/install-trino.sh when missing. */
export function ensureTrino(repoRoot: string, version = LOCAL_TRINO_VERSION, log: (line: string) => void = () => undefined): string {
  const home = join(repoRoot, '.streamlake', 'trino', version);
  const server = join(home, 'server');
  const core = existsSync(join(home, '.complete'));
  const plugins = EXTRA_PLUGINS.filter((p) => !existsSync(join(home, `.plugin-${p}`)));
  if (core && plugins.length === 0) return server;
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8', timeout: 60_000 });
  if (mvn.error || mvn.status !== 0) throw new PrerequisiteError(NEED_MAVEN);
  log(
    core
      ? `fetching the Trino ${version} ${plugins.join(', ')} connector (~100 MB) from Maven Central (once)…`
      : `fetching Trino ${version} (server core + Hive and Iceberg connectors, ~550 MB) from Maven Central (once)…`,
  );
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-trino.sh'), version], { encoding: 'utf8', cwd: repoRoot, timeout: 1_800_000 });
  if (r.status !== 0)
    throw new PrerequisiteError(
      `fetching Trino ${version} failed (run bash scripts/install-trino.sh to see why): ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-2).join(' ')}`,
    );
  return server;
}

export interface TrinoServerOptions {
  readonly repoRoot: string;
  /** The lake directory, seen by Trino as local:///lake/. */
  readonly lakeDir: string;
  /** The server's files go to <stateDir>/trino-server/<port>/ (log kept after stop). @default <repoRoot>/.streamlake */
  readonly stateDir?: string;
  /** JVM heap. @default 1G */
  readonly heap?: string;
  /** @default 240_000 (a first start on a busy 2-core machine) */
  readonly readyTimeoutMs?: number;
  /** A `java` to use instead of searching (must be 24.0.1+). */
  readonly java?: string;
  readonly version?: string;
  readonly log?: (line: string) => void;
  /** Synchronous work to do while the JVM boots (e.g. synthesizing the catalog); a throw stops the server. */
  readonly whileStarting?: () => void;
  /** Also an Iceberg catalog `iceberg` (TRINO_ICEBERG_CATALOG) over this REST catalog. @default none (Hive only) */
  readonly iceberg?: IcebergCatalogOptions;
}

export interface IcebergCatalogOptions {
  /** The REST catalog's base URI, e.g. RunningRestCatalog.url (`http://127.0.0.1:<port>`). */
  readonly restCatalogUri: string;
}

export interface RunningTrino {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  readonly java: JavaInstall;
  /** The server's folder: etc/, data/, the metastore root and the logs. */
  readonly dir: string;
  /** Where the local file system's `local:///` points: `lake` → the lake directory, `metastore/`. */
  readonly fsRoot: string;
  readonly logFile: string;
  /** Milliseconds from spawning the JVM to the first answered query. */
  readonly startMs: number;
  /** The Iceberg catalog's name when started with `iceberg`, else undefined. */
  readonly icebergCatalog?: string;
  client(session?: TrinoSession): TrinoClient;
  stop(): Promise<void>;
}

/** Properties of the single-node server (coordinator that also runs the tasks), loopback only. */
export function serverConfig(port: number): string {
  return [
    'coordinator=true',
    'node-scheduler.include-coordinator=true',
    `http-server.http.port=${port}`,
    `discovery.uri=http://127.0.0.1:${port}`,
    'web-ui.enabled=false',
    // no HTTP request log (its default path is var/log/ under the working directory)
    'http-server.log.enabled=false',
    // one machine, a small heap: 30% of it per query and as headroom (Trino's defaults)
    '',
  ].join('\n');
}

/** The Hive catalog: file metastore and the lake through the native local file system, projection on. */
export function hiveCatalogConfig(fsRoot: string): string {
  return [
    'connector.name=hive',
    'hive.metastore=file',
    'hive.metastore.catalog.dir=local:///metastore',
    'fs.native-local.enabled=true',
    `local.location=${fsRoot}`,
    // Athena's partition projection, from the tables' `projection.*` parameters as Glue holds them
    'hive.partition-projection-enabled=true',
    // S3 has no directories: a projected partition nothing was written to is empty, not an error
    'hive.ignore-absent-partitions=true',
    '',
  ].join('\n');
}

/**
 * The Iceberg catalog over a REST catalog. Table locations are read through Trino's native local
 * file system, which serves both `local://` and `file://` locations as paths under
 * `local.location`: with `/` as that root, a `file:///abs/path` location (as the local REST catalog
 * reports its warehouse) is the file `/abs/path` itself, so the catalog's metadata, manifests and
 * data files are read where the catalog and the writers put them, with no copy or symlink.
 */
export function icebergCatalogConfig(o: IcebergCatalogOptions): string {
  return ['connector.name=iceberg', 'iceberg.catalog.type=rest', `iceberg.rest-catalog.uri=${o.restCatalogUri}`, 'fs.native-local.enabled=true', 'local.location=/', ''].join('\n');
}

/**
 * Runs `java "$@"` and stops it when stdin (a pipe from the parent) reaches EOF, i.e. when the
 * parent process is gone, or on SIGTERM/SIGINT/SIGHUP; exits with the JVM's status.
 */
const WRAPPER = `
pid_file="$1"; shift
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
echo "$child" > "$pid_file"
( cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null; for _ in $(seq 40); do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.5; done; kill -KILL "$child" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
`;

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Removes the folders of servers that are gone and older than a day (their logs with them). */
function pruneOldServers(parent: string): void {
  if (!existsSync(parent)) return;
  for (const e of readdirSync(parent)) {
    const dir = join(parent, e);
    try {
      const pidFile = join(dir, 'pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pidAlive(pid)) continue;
      if (Date.now() - statSync(dir).mtimeMs > 86_400_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another process is pruning it
    }
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Starts Trino over `lakeDir`; resolves once it answers `SELECT 1`. */
export async function startTrino(options: TrinoServerOptions): Promise<RunningTrino> {
  const log = options.log ?? (() => undefined);
  const version = options.version ?? LOCAL_TRINO_VERSION;
  const stateDir = resolve(options.stateDir ?? join(options.repoRoot, '.streamlake'));
  const java = ensureJava(stateDir, { java: options.java, log });
  const server = ensureTrino(options.repoRoot, version, log);
  const port = await freePort();
  const parent = join(stateDir, 'trino-server');
  pruneOldServers(parent);
  const dir = join(parent, String(port));
  rmSync(dir, { recursive: true, force: true });
  const fsRoot = join(dir, 'root');
  for (const d of ['etc/catalog', 'data', 'plugin', 'root/metastore']) mkdirSync(join(dir, d), { recursive: true });
  mkdirSync(options.lakeDir, { recursive: true });
  symlinkSync(resolve(options.lakeDir), join(fsRoot, 'lake'));
  // only the Hive connector (and Iceberg on request): the core's other plugins cost start time (and exchange-filesystem does not load from the core tarball)
  symlinkSync(join(server, 'plugin', 'hive'), join(dir, 'plugin', 'hive'));
  writeFileSync(join(dir, 'etc', 'config.properties'), serverConfig(port));
  writeFileSync(join(dir, 'etc', 'catalog', `${TRINO_CATALOG}.properties`), hiveCatalogConfig(fsRoot));
  if (options.iceberg) {
    symlinkSync(join(server, 'plugin', 'iceberg'), join(dir, 'plugin', 'iceberg'));
    writeFileSync(join(dir, 'etc', 'catalog', `${TRINO_ICEBERG_CATALOG}.properties`), icebergCatalogConfig(options.iceberg));
  }
  writeFileSync(join(dir, 'etc', 'log.properties'), ['Bootstrap=WARN', 'io.trino.server.PluginManager=WARN', ''].join('\n'));
  const logFile = join(dir, 'server.log');
  const stdoutFile = join(dir, 'jvm.log');
  const jvm = [
    `-Xmx${options.heap ?? '1G'}`,
    '-Xss2M',
    // a 2-core machine and a small heap: the serial collector, and C1 only (faster start and short queries here)
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+EnableDynamicAgentLoading',
    '-Djdk.attach.allowAttachSelf=true',
    '--enable-native-access=ALL-UNNAMED',
    '-Dfile.encoding=UTF-8',
    // Athena evaluates in UTC
    '-Duser.timezone=UTC',
    '-Dnode.environment=streamlake',
    `-Dnode.id=${randomUUID()}`,
    `-Dnode.data-dir=${join(dir, 'data')}`,
    '-Dnode.bind-ip=127.0.0.1',
    '-Dnode.internal-address=127.0.0.1',
    `-Dlog.path=${logFile}`,
    `-Dlog.levels-file=${join(dir, 'etc', 'log.properties')}`,
    `-Dconfig=${join(dir, 'etc', 'config.properties')}`,
    `-Dcatalog.config-dir=${join(dir, 'etc', 'catalog')}`,
    `-Dplugin.dir=${join(dir, 'plugin')}`,
    '-cp',
    `${join(server, 'lib')}/*`,
    'io.trino.server.TrinoServer',
  ];
  log(`starting Trino ${version} (Java ${java.version} from ${java.source}) on 127.0.0.1:${port}; log: ${logFile}`);
  const started = Date.now();
  const out = openSync(stdoutFile, 'a');
  const child: ChildProcess = spawn('bash', ['-c', WRAPPER, 'streamlake-trino', join(dir, 'pid'), java.java, ...jvm], { stdio: ['pipe', out, out], cwd: dir });
  closeSync(out);
  child.stdin?.on('error', () => undefined);
  const forget = killOnExit(child);
  const url = `http://127.0.0.1:${port}`;
  const tail = (): string => {
    const last = (f: string, n: number) => (existsSync(f) ? readFileSync(f, 'utf8').trimEnd().split('\n').slice(-n).join('\n') : '');
    const errors = existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((l) => /\tERROR\t|Exception|Error:/.test(l))
          .slice(0, 8)
          .join('\n')
      : '';
    return `\n--- ${logFile} (errors) ---\n${errors || last(logFile, 15)}\n--- ${stdoutFile} (last lines) ---\n${last(stdoutFile, 10)}`;
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (isRunning(child)) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        const pid = Number(existsSync(join(dir, 'pid')) ? readFileSync(join(dir, 'pid'), 'utf8').trim() : NaN);
        if (Number.isInteger(pid) && pidAlive(pid)) process.kill(pid, 'SIGKILL');
        if (isRunning(child)) child.kill('SIGKILL');
      }, 20_000);
      await exited;
      clearTimeout(timer);
    }
    forget();
    // keep the logs; the rest is rebuilt on every start
    for (const d of ['etc', 'data', 'plugin', 'root']) rmSync(join(dir, d), { recursive: true, force: true });
  };
  try {
    options.whileStarting?.();
    await waitForTrino(url, options.readyTimeoutMs ?? 240_000, () => !isRunning(child), tail);
  } catch (err) {
    await stop();
    throw err;
  }
  const startMs = Date.now() - started;
  log(`Trino ${version} ready in ${(startMs / 1000).toFixed(1)} s`);
  return {
    url,
    port,
    version,
    java,
    dir,
    fsRoot,
    logFile,
    startMs,
    ...(options.iceberg ? { icebergCatalog: TRINO_ICEBERG_CATALOG } : {}),
    client: (session?: TrinoSession) => new TrinoClient(url, { catalog: TRINO_CATALOG, ...session }),
    stop,
  };
}

/** Waits until the server has started and runs a query (the single node has announced itself). */
export async function waitForTrino(url: string, timeoutMs: number, gone: () => boolean, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const client = new TrinoClient(url, { timeoutMs: 30_000 });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone()) throw new InfrastructureError(`Trino exited before it was ready${describe()}`);
    try {
      const res = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(2_000) });
      const info = (await res.json()) as { starting?: boolean };
      if (info.starting === false) {
        await client.query('SELECT 1');
        return;
      }
      last = 'starting';
    } catch (err) {
      // connection refused while the JVM boots; NO_NODES_AVAILABLE until the node has announced itself
      last = err instanceof TrinoQueryError ? `${err.errorName}: ${err.trinoMessage}` : (err as Error).message;
    }
    await sleep(250);
  }
  throw new InfrastructureError(`Trino at ${url} not ready after ${timeoutMs / 1000}s (${last})${describe()}`);
}
