/**
 * Ingest and detection cost, on real recorded profile series:
 * - decode + aggregate + store per scrape, and the bytes written to SQLite
 *   per scrape and per target-day at a 1-minute interval (before and after
 *   downsampling);
 * (detection cost is bench/detect.bench.ts).
 * Medians over repeated runs; run with `npm run bench`.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { openDatabase } from '../src/store/db.js';
import { downsample } from '../src/store/downsample.js';
import { StoreWriter } from '../src/store/writer.js';
import type { Target } from '../src/targets/target.js';
import { median, table } from './stats.js';

const CORPUS = fileURLToPath(new URL('../../test/fixtures/corpus/', import.meta.url));
const limits = { maxDecompressedBytes: 512 * 1024 * 1024 };
const MIN = 60_000;

function series(name: string): Buffer[] {
  const dir = join(CORPUS, name, 'profiles');
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
}

function dbBytes(path: string): number {
  let n = 0;
  for (const suffix of ['', '-wal']) {
    try {
      n += statSync(path + suffix).size;
    } catch {
      // No WAL yet.
    }
  }
  return n;
}

export async function benchIngest(): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const name of ['leak-server-request-field', 'leak-idle-connections', 'trap-netpoll-churn', 'leak-unclassified-slow']) {
    const bodies = series(name);
    const dir = mkdtempSync(join(tmpdir(), 'hw-bench-'));
    const path = join(dir, 'b.db');
    const db = openDatabase(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 10 });
    const target = { key: `bench:${name}`, url: `http://127.0.0.1:1/${name}`, labels: { service: name } } as unknown as Target;
    const base = dbBytes(path);
    const decodeMs: number[] = [];
    const storeMs: number[] = [];
    // 1440 scrapes = one target-day at 1 minute: cycle through the recorded series.
    for (let i = 0; i < 1440; i++) {
      const body = bodies[i % bodies.length]!;
      const t0 = performance.now();
      const profile = decodeHeapProfileFast(body, limits);
      const t1 = performance.now();
      // Keep alloc counters growing across cycles so no wrap-around reads as a restart.
      const scaled = { ...profile, totals: profile.totals.map((v, k) => (profile.sampleTypes[k]!.type.startsWith('alloc') ? v + i * 1e12 : v)) };
      writer.appendProfile({ target, startedAt: i * MIN, durationMs: 1, body, profile: scaled });
      storeMs.push(performance.now() - t1);
      decodeMs.push(t1 - t0);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dayBytes = dbBytes(path) - base;
    const profileBytes = (db.prepare('SELECT COALESCE(SUM(length(bytes)), 0) FROM profiles').pluck().get() as number);
    await downsample(db, 1440 * MIN, 15 * MIN);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const downsampled = dbBytes(path) - base;
    db.close();
    rows.push([
      name,
      `${(median(bodies.map((b) => b.length)) / 1024).toFixed(0)} KiB`,
      median(decodeMs).toFixed(2),
      median(storeMs).toFixed(2),
      `${(dayBytes / 1440 / 1024).toFixed(1)} KiB`,
      `${(dayBytes / 1e6).toFixed(2)} MB`,
      `${(profileBytes / 1e6).toFixed(2)} MB`,
      `${(downsampled / 1e6).toFixed(2)} MB`,
    ]);
  }
  return table(['series', 'profile (gz)', 'decode ms (median)', 'store ms (median)', 'written / scrape', 'per target-day', 'of which raw profiles', 'after downsampling'], rows);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`## Ingest (decode, aggregate, store) and disk\n\n${await benchIngest()}\n\n(detection cost: bench/detect.bench.ts)\n`);
}
