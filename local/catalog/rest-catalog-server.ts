/**
 * The local Iceberg REST catalog: Apache Iceberg's own REST catalog server (RESTCatalogServer from
 * org.apache.iceberg:iceberg-open-api:<version>:test-fixtures, fetched once from Maven Central by
 * scripts/install-iceberg-rest.sh into .streamlake/iceberg-rest/<version>/) run with the local
 * Java 17+ through a small launcher (./StreamlakeRestCatalogServer.java) that binds it to
 * 127.0.0.1 and ends it when this process ends.
 *
 * Its backend is the server's default, made persistent: a JdbcCatalog over a SQLite file
 * (`<metadataDir>/catalog.db`), HadoopFileIO on the raw local file system for the table metadata,
 * tables under the warehouse directory unless created with an explicit location. It is configured
 * the way RESTCatalogServer is, through `CATALOG_*` environment variables (see `catalogEnvironment`).
 * A server started again on the same directories sees the same tables; on the same port too, the
 * clients of the previous one carry on.
 *
 * No orphan JVM: the launcher exits when its standard input (a pipe from this process) closes,
 * i.e. when this process ends in any way, a crashed or killed test included; `stop()` ends it with
 * SIGTERM, and this process's exit kills it too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError, InfrastructureError } from '../../model/errors';
import { freePort, isRunning, killOnExit, PrerequisiteError } from '../process';

/**
 * The newest Apache Iceberg release on Maven Central that ships iceberg-open-api's test-fixtures
 * jar (RESTCatalogServer) when this was written. Override with STREAMLAKE_ICEBERG_VERSION (and
 * install it with `bash scripts/install-iceberg-rest.sh <version>`; the Jetty and Hadoop versions
 * the script pins are those of 1.11).
 */
export const DEFAULT_ICEBERG_VERSION = '1.11.0';
export const LOCAL_ICEBERG_VERSION = process.env.STREAMLAKE_ICEBERG_VERSION || DEFAULT_ICEBERG_VERSION;

/** The launcher class (./StreamlakeRestCatalogServer.java), compiled by the install script. */
export const LAUNCHER_CLASS = 'org.apache.iceberg.rest.StreamlakeRestCatalogServer';

const INSTALL_HINT = 'bash scripts/install-iceberg-rest.sh';
const NEED_JAVA = 'Java 17+ is needed to run the local Iceberg REST catalog: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)';

export interface IcebergRestInstall {
  /** The server and its runtime jars. */
  readonly libs: string;
  /** The compiled launcher and its core-site.xml (first on the class path). */
  readonly launcherJar: string;
  /** The class-data archive of a training run, and the `java -version` of the Java that made it (valid for that Java only). */
  readonly classArchive: string;
  readonly classArchiveJava: string;
}

/** The installed server of `version`; runs scripts/install-iceberg-rest.sh first when it is missing or its launcher is older than the source. */
export function ensureIcebergRest(repoRoot: string, version = LOCAL_ICEBERG_VERSION, log: (line: string) => void = () => undefined): IcebergRestInstall {
  const home = join(repoRoot, '.streamlake', 'iceberg-rest', version);
  const launcher = join(home, 'launcher');
  const install: IcebergRestInstall = {
    libs: join(home, 'libs'),
    launcherJar: join(launcher, 'streamlake-launcher.jar'),
    classArchive: join(launcher, 'classes.jsa'),
    classArchiveJava: join(launcher, 'classes.jsa.java'),
  };
  const source = join(repoRoot, 'local', 'catalog', 'StreamlakeRestCatalogServer.java');
  const jar = install.launcherJar;
  const upToDate = existsSync(join(home, '.complete')) && existsSync(jar) && (!existsSync(source) || statSync(jar).mtimeMs >= statSync(source).mtimeMs);
  if (upToDate) return install;
  if (!existsSync(join(install.libs, '.complete'))) log(`fetching Apache Iceberg ${version}'s REST catalog server (~45 MB of jars) from Maven Central (once)…`);
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-iceberg-rest.sh'), version], { encoding: 'utf8', cwd: repoRoot, timeout: 900_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').filter(Boolean);
    // the script's own one-line "streamlake: … install …" messages are the whole story
    const own = why.find((l) => l.startsWith('streamlake: '));
    throw new PrerequisiteError(own ? own.slice('streamlake: '.length) : `installing the Iceberg REST catalog failed (run ${INSTALL_HINT} to see why): ${why.slice(-2).join(' ')}`);
  }
  return install;
}

/**
 * The `java` to run (JAVA_HOME's when set, else the PATH's) and its `java -version` text; a
 * PrerequisiteError unless it is 17+.
 */
export function catalogJava(java?: string): { readonly command: string; readonly version: string } {
  const command = java ?? (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const r = spawnSync(command, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  const version = `${r.stderr ?? ''}${r.stdout ?? ''}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(version);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (r.error || r.status !== 0 || !(major >= 17)) throw new PrerequisiteError(match ? `${NEED_JAVA} (${command} is Java ${major})` : NEED_JAVA);
  return { command, version };
}

export interface RestCatalogServerOptions {
  readonly repoRoot: string;
  /** The catalog database (`catalog.db`, SQLite), the server log and its pid file. @default <repoRoot>/.streamlake/iceberg-catalog */
  readonly metadataDir?: string;
  /** The warehouse: tables created without a location go to `<warehouseDir>/<namespace>/<table>`. @default <repoRoot>/.streamlake/lake */
  readonly warehouseDir?: string;
  /** Listen on this port (a restart where clients expect the catalog). @default a free port */
  readonly port?: number;
  /** JVM heap. @default 256m ('startup'), 1g ('throughput') */
  readonly heap?: string;
  /**
   * 'startup' (tests, short runs): C1 only, a small heap. 'throughput' (hours of commits, as the lake
   * bench makes): the full JIT and a larger heap; each commit parses and writes the table's metadata
   * JSON, which grows with its snapshots, and C2-compiled code does that ~2× faster. @default 'startup'
   */
  readonly profile?: 'startup' | 'throughput';
  /** @default 60_000 */
  readonly readyTimeoutMs?: number;
  /** A `java` (17+) to use instead of JAVA_HOME's or the PATH's. */
  readonly java?: string;
  readonly version?: string;
  readonly log?: (line: string) => void;
}

export interface RunningRestCatalog {
  /** The catalog's base URI, for RestCatalogClient: `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly version: string;
  readonly metadataDir: string;
  readonly warehouseDir: string;
  /** The warehouse as the catalog writes locations (`file:///…`). */
  readonly warehouse: string;
  readonly catalogDb: string;
  /** Appended to by every server on these directories. */
  readonly logFile: string;
  readonly pid: number;
  /** Milliseconds from spawning the JVM to the first answered `GET /v1/config`. */
  readonly startMs: number;
  /** SIGTERM (the catalog closes its database), SIGKILL after 10 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for the fault tests. */
  kill(): Promise<void>;
}

/**
 * The server's configuration, as RESTCatalogServer reads it: each `CATALOG_X_Y__Z` variable becomes
 * the catalog property `x.y-z` (`_` → `.`, `__` → `-`, lower case).
 */
export function catalogEnvironment(o: { readonly catalogDb: string; readonly warehouse: string; readonly port: number }): Record<string, string> {
  return {
    CATALOG_CATALOG__IMPL: 'org.apache.iceberg.jdbc.JdbcCatalog',
    CATALOG_URI: `jdbc:sqlite:${o.catalogDb}`,
    // V1 also stores views; a new database is created with it, an existing one is read as it is
    CATALOG_JDBC_SCHEMA__VERSION: 'V1',
    // one JDBC connection: SQLite has one writer at a time, so commits queue instead of failing busy
    CATALOG_CLIENTS: '1',
    CATALOG_WAREHOUSE: o.warehouse,
    CATALOG_IO__IMPL: 'org.apache.iceberg.hadoop.HadoopFileIO',
    CATALOG_REST_PORT: String(o.port),
  };
}

/** Whether `pid` is a live catalog server (on Linux its command line says so; a reused pid is not). */
const serverAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(LAUNCHER_CLASS);
  } catch {
    return true; // no /proc: believe the pid file
  }
};

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Waits until `GET <url>/v1/config` answers 200. */
export async function waitForCatalog(url: string, timeoutMs: number, gone: () => boolean = () => false, describe: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone()) throw new InfrastructureError(`the Iceberg REST catalog exited before it was ready${describe()}`);
    try {
      const res = await fetch(`${url}/v1/config`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    await sleep(100);
  }
  throw new InfrastructureError(`the Iceberg REST catalog at ${url} was not ready after ${timeoutMs / 1000}s (${last})${describe()}`);
}

/** The URL of the catalog server running on `metadataDir`, if one is. */
export function runningCatalogUrl(metadataDir: string): string | undefined {
  const pidFile = join(metadataDir, 'rest-catalog.pid');
  const urlFile = join(metadataDir, 'rest-catalog.url');
  if (!existsSync(pidFile) || !existsSync(urlFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !serverAlive(pid)) return undefined;
  return readFileSync(urlFile, 'utf8').trim() || undefined;
}

/** Starts the catalog server; resolves once it answers `GET /v1/config`. */
export async function startRestCatalog(options: RestCatalogServerOptions): Promise<RunningRestCatalog> {
  const log = options.log ?? (() => undefined);
  const version = options.version ?? LOCAL_ICEBERG_VERSION;
  const java = catalogJava(options.java);
  const install = ensureIcebergRest(options.repoRoot, version, log);
  const metadataDir = resolve(options.metadataDir ?? join(options.repoRoot, '.streamlake', 'iceberg-catalog'));
  const warehouseDir = resolve(options.warehouseDir ?? join(options.repoRoot, '.streamlake', 'lake'));
  mkdirSync(metadataDir, { recursive: true });
  mkdirSync(warehouseDir, { recursive: true });
  const pidFile = join(metadataDir, 'rest-catalog.pid');
  const previous = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (Number.isInteger(previous) && previous > 0 && serverAlive(previous)) {
    throw new ConfigurationError(`another Iceberg REST catalog (pid ${previous}) is running on ${metadataDir}: stop it first (one server per catalog database)`);
  }
  const port = options.port ?? (await freePort());
  const catalogDb = join(metadataDir, 'catalog.db');
  // file:///abs/path, without a trailing slash (the catalog appends /<namespace>/<table>)
  const warehouse = pathToFileURL(warehouseDir).href.replace(/\/+$/, '');
  const logFile = join(metadataDir, 'rest-catalog.log');

  // the install's class-data archive, when this very Java made it (another Java would refuse it)
  const throughput = options.profile === 'throughput';
  const archived = existsSync(install.classArchive) && existsSync(install.classArchiveJava) && readFileSync(install.classArchiveJava, 'utf8') === java.version;
  const jvm = [
    ...(archived ? [`-XX:SharedArchiveFile=${install.classArchive}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'] : []),
    `-Xmx${options.heap ?? (throughput ? '1g' : '256m')}`,
    '-Xms32m',
    // a 2-core machine and a small heap: the serial collector and C1 only start fastest
    '-XX:+UseSerialGC',
    ...(throughput ? [] : ['-XX:TieredStopAtLevel=1']),
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    '-Dstreamlake.exitWhenStdinCloses=true',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
    '-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=warn',
    '-Dorg.slf4j.simpleLogger.log.org.apache.hadoop=error',
    '-cp',
    // as the archive was made: the launcher jar, then every jar of libs/
    `${install.launcherJar}:${install.libs}/*`,
    LAUNCHER_CLASS,
  ];
  // only this server's CATALOG_* settings: the parent's, if any, must not reconfigure it
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CATALOG_')) env[k] = v;
  Object.assign(env, catalogEnvironment({ catalogDb, warehouse, port }));

  log(`starting the Apache Iceberg ${version} REST catalog on 127.0.0.1:${port} (catalog ${catalogDb}, warehouse ${warehouse}); log: ${logFile}`);
  const started = Date.now();
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(java.command, jvm, { stdio: ['pipe', out, out], env });
  closeSync(out);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  // the pipe is the JVM's lifeline; nothing is written to it
  child.stdin?.on('error', () => undefined);
  const forget = killOnExit(child);
  const pid = child.pid ?? -1;
  writeFileSync(pidFile, `${pid}\n`);
  const exited = new Promise<void>((r) => (isRunning(child) ? child.once('exit', () => r()) : r()));
  const tail = (): string => {
    if (!existsSync(logFile)) return '';
    const text = readFileSync(logFile, 'utf8').slice(logStart).trimEnd().split('\n');
    return `\n--- ${logFile} (this start, last lines) ---\n${text.slice(-15).join('\n')}`;
  };

  const end = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    if (isRunning(child)) {
      child.stdin?.end();
      child.kill(signal);
      const timer = signal === 'SIGTERM' ? setTimeout(() => isRunning(child) && child.kill('SIGKILL'), 10_000) : undefined;
      await exited;
      if (timer) clearTimeout(timer);
    }
    forget();
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(pid)) rmSync(pidFile, { force: true });
  };
  const urlFile = join(metadataDir, 'rest-catalog.url');

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForCatalog(
      url,
      options.readyTimeoutMs ?? 60_000,
      () => spawnError !== undefined || !isRunning(child),
      () => (spawnError ? `: ${spawnError.message}` : '') + tail(),
    );
  } catch (err) {
    await end('SIGKILL');
    throw err;
  }
  const startMs = Date.now() - started;
  // where other processes on these directories (the CLI's query, a test's reader) find this server
  writeFileSync(urlFile, `${url}\n`);
  log(`Iceberg REST catalog ready in ${(startMs / 1000).toFixed(1)} s`);
  return { url, port, version, metadataDir, warehouseDir, warehouse, catalogDb, logFile, pid, startMs, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
