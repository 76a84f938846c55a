/**
 * The layout's rules, checked on the import graph of the source tree: the shared model imports
 * nothing of the rest, the pipeline specs only the model, Lambda code nothing of the CDK app or
 * the local runtime, and no module imports itself back through others (type imports included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SOURCE_DIRS = ['model', 'pipelines', 'lambda', 'lib', 'local', 'bin', 'bench', 'scripts'];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Project-relative paths (no extension) a file imports, type-only and lazy `require` included. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]));
    out.push(target.replace(/\.ts$/, ''));
  }
  return out;
}

const files = SOURCE_DIRS.flatMap(tsFiles);
const moduleOf = (f: string) => f.replace(/\.ts$/, '');
const known = new Set(files.map(moduleOf));
/** `x` may be a folder import (`../pipelines` → `pipelines/index`). */
const resolveModule = (m: string) => (known.has(m) ? m : known.has(`${m}/index`) ? `${m}/index` : m);
const graph = new Map(files.map((f) => [moduleOf(f), importsOf(f).map(resolveModule)]));
const top = (m: string) => m.split('/')[0];

const FORBIDDEN: Record<string, { readonly may: readonly string[]; readonly never?: readonly string[] }> = {
  model: { may: ['model'] },
  pipelines: { may: ['model', 'pipelines'] },
  lambda: { may: ['model', 'pipelines', 'lambda'] },
  lib: { may: ['model', 'pipelines', 'lambda', 'lib'] },
  // the local runtime runs the Lambda code and may synthesize the app, but owns no AWS-only part of it
  local: { may: ['model', 'pipelines', 'lambda', 'lib', 'local'], never: ['lambda/custom-resources'] },
};

describe('the layout of the source tree', () => {
  it('finds the modules it checks', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('lambda/handlers/processor-entry')).toContain('lambda/handlers/lambda-processor');
  });

  it.each(Object.entries(FORBIDDEN))('%s/ imports only what its layer may', (layer, rule) => {
    const violations: string[] = [];
    for (const [m, deps] of graph) {
      if (top(m) !== layer) continue;
      for (const d of deps) {
        if (!rule.may.includes(top(d)) || rule.never?.some((n) => d.startsWith(`${n}/`))) violations.push(`${m} → ${d}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycle', () => {
    // Tarjan's strongly connected components: any component of more than one module is a cycle
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of (graph.get(v) ?? []).filter((d) => graph.has(d))) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });
});
