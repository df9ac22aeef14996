/**
 * The finding page on a big target: 24 h of 1-minute history of a ~5 MB
 * profile (bench/make-large-profile.ts) in one SQLite file, one finding on a
 * stack that grows through the day. Measured in real headless Chromium
 * against the real daemon: from navigation to the growth chart and the diff
 * flame graph both drawn (the page's data-chart / data-flame marks), median
 * over repeated loads (the flame tree then comes from the daemon's cache) and
 * the first load after start; the detail API call; and building the flame
 * tree from the store, on its own.
 *
 * Run: node dist/bench/finding-page.bench.js [--hours 24] [--runs 7] [--keep DIR]
 * Building the history takes minutes (one store append per minute of it);
 * --keep builds it once into DIR and reuses it on the next run.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon } from '../src/main.js';
import type { Finding } from '../src/detect/findings.js';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { stackCount, stackFrames, type HeapProfile } from '../src/pprof/profile.js';
import { openDatabase } from '../src/store/db.js';
import { FindingStore } from '../src/store/findings.js';
import { StoreWriter } from '../src/store/writer.js';
import type { Target } from '../src/targets/target.js';
import { launchChromium } from '../test/helpers/browser.js';
import { HistoryReader } from '../src/store/history-reader.js';
import { findingFlame, findingWindow } from '../src/web/finding-view.js';
import { ensureGeneratedProfile } from './make-large-profile.js';
import { intFlag } from './flags.js';
import { median, table } from './stats.js';

const MIB = 1024 * 1024;

/** Appends `hours` of 1-minute scrapes: the profile as generated, with one stack growing 1 MiB a minute. */
function buildHistory(dbPath: string, body: Buffer, base: HeapProfile, hours: number): { findingId: number; stacks: number; ms: number } {
  const t0 = performance.now();
  const db = openDatabase(dbPath);
  const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 10 });
  const target = { key: 'http://10.0.0.1:6060/debug/pprof/heap', url: 'http://10.0.0.1:6060/debug/pprof/heap', labels: { service: 'bigservice', instance: '10.0.0.1:6060' } } as unknown as Target;
  const types = base.sampleTypes.length;
  const space = base.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  const allocSpace = base.sampleTypes.findIndex((t) => t.type === 'alloc_space');
  // The growing stack: the deepest one, so the flame graph has a tall key path.
  let grow = 0;
  for (let i = 1; i < stackCount(base); i++) if (stackFrames(base, i).length > stackFrames(base, grow).length) grow = i;
  const start = Date.UTC(2026, 0, 1);
  const minutes = hours * 60;
  let stored: { epochId: number; targetId: number } | undefined;
  for (let m = 0; m < minutes; m++) {
    const values = base.stacks.values.slice();
    values[grow * types + space]! += m * MIB;
    values[grow * types + allocSpace]! += m * 2 * MIB;
    const totals = base.totals.map((x, j) => x + (j === space ? m * MIB : j === allocSpace ? m * 2 * MIB : m));
    const profile: HeapProfile = { ...base, timeMs: start + m * 60_000, stacks: { ...base.stacks, values }, totals };
    stored = writer.appendProfile({ target, startedAt: profile.timeMs, durationMs: 300, body, profile });
    if (m % 240 === 0) process.stderr.write(`  history: ${m}/${minutes} scrapes\n`);
  }
  const frames = Array.from(stackFrames(base, grow), (f) => base.functions[f]!.name);
  const detectedAt = start + Math.floor(minutes * 0.8) * 60_000;
  const finding: Finding = {
    key: `unclassified-growth|${frames[0]}`,
    epoch: String(stored!.epochId),
    classId: 'unclassified-growth',
    severity: 'warning',
    title: 'Unclassified growth',
    function: frames[0]!,
    headline: `${frames[0]} keeps allocating memory that stays in use`,
    stack: frames,
    growthBytes: 120 * MIB,
    bytesPerHour: 60 * MIB,
    detectedAt,
    lastSeenAt: start + (minutes - 1) * 60_000,
    state: 'open',
    resolvedAt: null,
    resolvedReason: null,
    evidence: { versions: {}, windowMinutes: 120, pValue: 0 } as Finding['evidence'],
    summary: `${frames[0]} keeps allocating memory that stays in use, growing 60 MB/h`,
    remediation: 'Follow the stack to the code that keeps what this function allocates.',
    docUrl: 'https://www.cloudwego.io/docs/kitex/best-practice/self_check/mem_leak_self_check/',
  };
  new FindingStore(db).save(stored!.targetId, finding);
  const findingId = db.prepare(`SELECT id FROM findings`).pluck().get() as number;
  db.close();
  return { findingId, stacks: stackCount(base), ms: performance.now() - t0 };
}

async function main(): Promise<void> {
  const hours = intFlag('--hours', 24, 24 * 7);
  const runs = intFlag('--runs', 7, 50);
  const file = ensureGeneratedProfile('5mb');
  const body = readFileSync(file);
  const base = decodeHeapProfileFast(body, { maxDecompressedBytes: 1 << 28 });
  const keepAt = process.argv.indexOf('--keep');
  const keep = keepAt >= 0 ? process.argv[keepAt + 1] : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'hw-page-bench-'));
  try {
    const dbPath = join(dir, 'heapwatch.db');
    const meta = join(dir, `history-${hours}h.json`);
    let h: { findingId: number; stacks: number; ms: number };
    if (keep && existsSync(meta)) h = JSON.parse(readFileSync(meta, 'utf8')) as typeof h;
    else {
      if (keep) mkdirSync(dir, { recursive: true });
      h = buildHistory(dbPath, body, base, hours);
      if (keep) writeFileSync(meta, JSON.stringify(h));
    }
    process.stderr.write(`  history built in ${(h.ms / 1000).toFixed(0)} s\n`);
    const config = join(dir, 'heapwatch.yaml');
    writeFileSync(config, stringify({ storage: { path: dbPath }, api: { listen: '127.0.0.1:0' } }));
    const daemon = await startDaemon(config, { logLevel: 'silent' });
    const browser = await launchChromium();
    try {
      const api = async (path: string): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          const res = await fetch(`${daemon.address}${path}`);
          await res.arrayBuffer();
          out.push(performance.now() - t0);
        }
        return out;
      };
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const loads: number[] = [];
      let cold = 0;
      for (let i = 0; i < runs + 1; i++) {
        const t0 = performance.now();
        await page.goto(`${daemon.address}/findings/${h.findingId}`);
        await page.waitForSelector('html[data-chart="drawn"][data-flame="drawn"]', { timeout: 60_000 });
        // The first load after start builds the flame tree; later loads get it from the daemon's cache.
        if (i === 0) cold = performance.now() - t0;
        else loads.push(performance.now() - t0);
      }
      const flameNodes = await page.$$eval('#flame svg g', (gs) => gs.length);
      const detail = await api(`/api/v1/findings/${h.findingId}`);
      // The flame tree built from the store every time (what a first visit waits for).
      const history = new HistoryReader(daemon.db);
      const f = history.finding(h.findingId)!;
      const w = findingWindow(history, f)!;
      let tree = findingFlame(history, f, w);
      const build: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        tree = findingFlame(history, f, w);
        build.push(performance.now() - t0);
      }
      console.log(
        table(
          ['what', `median of ${runs}`, 'max'],
          [
            [`finding page interactive (navigation to chart + flame graph drawn), ${hours} h of 1-min history, ${(body.length / MIB).toFixed(1)} MB profile, ${h.stacks} stacks`, `${median(loads).toFixed(0)} ms`, `${Math.max(...loads).toFixed(0)} ms`],
            ['the same, first load after the daemon started (flame tree not cached yet)', `${cold.toFixed(0)} ms`, '(one run)'],
            ['GET /api/v1/findings/:id (finding, window, growth series)', `${median(detail).toFixed(0)} ms`, `${Math.max(...detail).toFixed(0)} ms`],
            [`flame tree built from the store (two stack states, keyframe + deltas; ${tree.nodes} nodes sent, ${flameNodes} frames drawn)`, `${median(build).toFixed(0)} ms`, `${Math.max(...build).toFixed(0)} ms`],
          ],
        ),
      );
      if (median(loads) > 1000) process.stdout.write('WARNING: over the 1 s target\n');
    } finally {
      await browser.close();
      await daemon.stop();
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
