/**
 * Produces a realistic ~5 MB (gzipped) Go heap profile for the decode
 * benchmark. It reuses the committed program generator in
 * test/fixtures/go/large (the one behind profiles/large.pb.gz) with more
 * packages, methods and request paths, so the profile is what the Go runtime
 * really writes (same string-table layout, labels, inlining and mappings),
 * just bigger. Everything is built and written under a temporary directory;
 * committed fixtures are never touched.
 *
 * Usage: node dist/bench/make-large-profile.js [50kb|5mb] [OUT]   (default OUT: see defaultOut)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATOR = join(ROOT, 'test/fixtures/go/large');

/**
 * Generator parameters per size. large.pb.gz uses 8 layers x 400 methods x
 * 11000 paths (~0.56 MB); 12 x 1000 x 80000 gives ~5 MB with ~12000
 * functions and ~170000 samples.
 */
export const PRESETS = {
  '50kb': ['-layers', '6', '-funcs', '100', '-paths', '1000'],
  '5mb': ['-layers', '12', '-funcs', '1000', '-paths', '80000'],
} as const;
export type Preset = keyof typeof PRESETS;

/** Where the bench looks for (and caches) a generated profile. */
export function defaultOut(preset: Preset): string {
  return join(tmpdir(), `heapwatch-bench-${preset}.pb.gz`);
}

function run(cmd: string, args: string[], cwd: string): void {
  // GOFLAGS=-mod=mod is not needed: the generated module has no dependencies.
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000, env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, ${r.error?.message ?? r.signal ?? ''})`);
}

/** Returns the path of the generated profile, building it first when it is not there yet. */
export function ensureGeneratedProfile(preset: Preset, out = defaultOut(preset)): string {
  if (existsSync(out)) return out;
  const work = mkdtempSync(join(tmpdir(), 'heapwatch-large-'));
  try {
    run('go', ['build', '-o', join(work, 'large-gen'), '.'], GENERATOR);
    run(join(work, 'large-gen'), ['-out', join(work, 'prog'), ...PRESETS[preset]], work);
    run('go', ['build', '-p', '1', '-trimpath', '-o', join(work, 'prog', 'prog'), '.'], join(work, 'prog'));
    // Written next to the target then renamed, so a killed run leaves no half file behind.
    const tmp = `${out}.${process.pid}.tmp`;
    run(join(work, 'prog', 'prog'), ['-out', tmp], work);
    renameSync(tmp, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const preset = (process.argv[2] ?? '5mb') as Preset;
  if (!(preset in PRESETS)) throw new Error(`preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  const out = ensureGeneratedProfile(preset, process.argv[3]);
  console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(2)} MB`);
}
