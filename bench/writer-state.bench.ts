/**
 * The writer's per-target delta state and store work per scrape, on the
 * recorded production-size series (test/fixtures/profiles/scale): N targets
 * each appending the controller (~410 KB) or gateway (~90 KB) series in
 * turn, into one SQLite file. Reports the JS heap the writer keeps per
 * target (JS heap and array buffers after a full GC, decoded profiles
 * held outside the measurement)
 * and the median time of one append (one transaction) for keyframes and
 * for deltas.
 *
 * Run: node dist/bench/writer-state.bench.js [--targets 200]
 * (README, Performance: the same run against the writer before typed arrays,
 * commit 976597c's src/store/writer.ts copied in beside this one.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { openDatabase } from '../src/store/db.js';
import { StoreWriter } from '../src/store/writer.js';
import type { Target } from '../src/targets/target.js';
import { seriesOfSize } from '../test/helpers/scale-series.js';
import { intFlag } from './flags.js';
import { median } from './stats.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface WriterLike {
  appendProfile(s: Parameters<StoreWriter['appendProfile']>[0]): { keyframe: boolean };
}

function measureWriter(name: string, make: (db: ReturnType<typeof openDatabase>) => WriterLike, size: 'medium' | 'large', targets: number): string {
  const series = seriesOfSize(size);
  const profiles = series.profiles.map((b) => ({ body: b, profile: decodeHeapProfileFast(b, { maxDecompressedBytes: 1 << 28 }) }));
  const dir = mkdtempSync(join(tmpdir(), 'hw-writer-bench-'));
  const db = openDatabase(join(dir, 'w.db'));
  try {
    const writer = make(db);
    const ts = Array.from({ length: targets }, (_, n) => ({ key: `t${n}`, url: `http://127.0.0.1:1/t/${n}`, labels: {} }) as unknown as Target);
    const key: number[] = [];
    const delta: number[] = [];
    // Typed arrays keep their bytes outside the V8 heap (arrayBuffers): both count.
    const kept = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = kept();
    // Each target in turn, so every target holds its state at the end; 6 scrapes each (one keyframe, five deltas).
    for (let i = 0; i < 6; i++) {
      for (const [n, t] of ts.entries()) {
        const p = profiles[(n + i) % profiles.length]!;
        const t0 = performance.now();
        const r = writer.appendProfile({ target: t, startedAt: (i + 1) * 60_000, durationMs: 1, body: p.body, profile: { ...p.profile, totals: p.profile.totals.map((x) => x + i + n) } });
        (r.keyframe ? key : delta).push(performance.now() - t0);
      }
    }
    const perTarget = (kept() - before) / targets;
    return `| ${name} | ${series.name} | ${targets} | ${(perTarget / 1024).toFixed(1)} KiB | ${median(key).toFixed(2)} ms | ${median(delta).toFixed(2)} ms |`;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const targets = intFlag('--targets', 200, 5000);
  const opts = { keyframeEvery: 60, keepLatestProfiles: 0 };
  console.log('| writer | series | targets | memory kept per target (JS heap + array buffers) | append, keyframe (median) | append, delta (median) |');
  console.log('|---|---|---|---|---|---|');
  for (const size of ['medium', 'large'] as const) console.log(measureWriter('typed arrays', (db) => new StoreWriter(db, opts), size, targets));
}

main();
