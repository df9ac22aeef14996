/**
 * The dependency rules of src/ (README, Architecture), checked on the
 * sources' import statements: no cycle between folders; pprof/ and detect/
 * import nothing that does I/O; store/ imports neither scrape/, api/ nor
 * fastify; the pipeline never imports a source (scrape/), which knows it only
 * through pipeline/source.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const IO_MODULES = ['node:fs', 'node:fs/promises', 'fs', 'node:worker_threads', 'node:http', 'node:https', 'node:net', 'better-sqlite3', 'fastify', 'piscina', 'undici'];

interface SourceFile {
  /** Path under src/, e.g. 'pipeline/ingest.ts'. */
  path: string;
  /** Its folder under src/, or the file itself for top-level files ('main.ts'). */
  unit: string;
  imports: string[];
}

function unitOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path;
}

function sources(dir = SRC, out: SourceFile[] = []): SourceFile[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testdata') sources(p, out);
      continue;
    }
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const text = readFileSync(p, 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
    const path = relative(SRC, p).split('\\').join('/');
    out.push({ path, unit: unitOf(path), imports: specifiers.map((s) => (s.startsWith('.') ? `./${normalize(join(dirname(path), s)).split('\\').join('/')}` : s)) });
  }
  return out;
}

/** A cycle in the unit graph, as a path that returns to its start, or undefined. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (u: string): string[] | undefined => {
    state.set(u, 'visiting');
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (state.get(v) === 'visiting') return [...stack.slice(stack.indexOf(v)), v];
      if (!state.has(v)) {
        const found = visit(v);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(u, 'done');
    return undefined;
  };
  for (const u of edges.keys()) {
    if (state.has(u)) continue;
    const found = visit(u);
    if (found) return found;
  }
  return undefined;
}

const FILES = sources();
const localUnit = (spec: string): string | undefined => (spec.startsWith('./') ? unitOf(spec.slice(2)) : undefined);

describe('src/ dependency rules', () => {
  it('reads the sources it checks', () => {
    assert.ok(FILES.length > 50, `${FILES.length} files`);
    assert.ok(FILES.some((f) => f.path === 'pipeline/source.ts'));
  });

  it('has no import cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of FILES) {
      for (const spec of f.imports) {
        const to = localUnit(spec);
        if (to === undefined || to === f.unit) continue;
        if (!edges.has(f.unit)) edges.set(f.unit, new Set());
        edges.get(f.unit)!.add(to);
      }
    }
    assert.ok((edges.get('scrape')?.size ?? 0) > 0, 'the graph has edges');
    const cycle = findCycle(edges);
    assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
  });

  it('keeps pprof/ and detect/ free of I/O', () => {
    for (const f of FILES.filter((x) => x.unit === 'pprof' || x.unit === 'detect')) {
      for (const spec of f.imports) assert.ok(!IO_MODULES.includes(spec), `${f.path} imports ${spec}`);
    }
  });

  it('keeps store/ below scrape/, api/ and fastify', () => {
    for (const f of FILES.filter((x) => x.unit === 'store')) {
      for (const spec of f.imports) {
        assert.ok(!['scrape', 'api', 'pipeline'].includes(localUnit(spec) ?? ''), `${f.path} imports ${spec}`);
        assert.ok(spec !== 'fastify' && !spec.startsWith('@fastify/'), `${f.path} imports ${spec}`);
      }
    }
  });

  it('lets scrape/ see the pipeline only through pipeline/source.ts, and the pipeline no source', () => {
    for (const f of FILES.filter((x) => x.unit === 'scrape')) {
      for (const spec of f.imports.filter((s) => localUnit(s) === 'pipeline')) assert.equal(spec, './pipeline/source.js', `${f.path} imports ${spec}`);
    }
    for (const f of FILES.filter((x) => x.unit === 'pipeline')) {
      for (const spec of f.imports) assert.notEqual(localUnit(spec), 'scrape', `${f.path} imports ${spec}`);
    }
  });

  it('keeps main.ts wiring only: at most 100 lines', () => {
    const lines = readFileSync(join(SRC, 'main.ts'), 'utf8').trimEnd().split('\n').length;
    assert.ok(lines <= 100, `main.ts has ${lines} lines`);
  });
});
