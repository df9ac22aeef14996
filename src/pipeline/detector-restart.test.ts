/**
 * A daemon restart does not forget what detection carries from a target's
 * ended processes (detect/crash-loop.ts, store/carry.ts): a leak that warned
 * before its process restarted, and a crash loop's chain, hold across it.
 * Two runs of the daemon's store writer and detector runner on one real
 * SQLite file, fed a synthetic process scraped every minute.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { warnedAt, type Finding } from '../detect/findings.js';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { createLogger } from '../log.js';
import type { HeapProfile } from '../pprof/profile.js';
import { CarryStore } from '../store/carry.js';
import { openDatabase } from '../store/db.js';
import { FindingStore } from '../store/findings.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { Target } from '../targets/target.js';
import { seededRandom } from '../../test/helpers/random.js';
import { linear, MIN, profileAt, steady, type Site } from '../../test/helpers/synthetic-process.js';
import { DetectorRunner } from './detector.js';

const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'heapwatch-carry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const leak: Site = { fn: 'main.(*store).keep', inuse: linear(20), allocPerMin: steady(1) };
const crashLoopLeak: Site = { fn: 'main.(*audit).append', inuse: linear(60), allocPerMin: steady(1) };

/** One run of the daemon's writer and detector on the database file at `path`. */
function daemon(path: string, o: { forgetCarry?: boolean } = {}) {
  const db = openDatabase(path);
  const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
  const carry = new CarryStore(db);
  const runner = new DetectorRunner({
    findings: new FindingStore(db),
    // The daemon as it was before the carry was stored: nothing comes back.
    carry: o.forgetCarry ? { carryOf: () => undefined, save: () => undefined } : carry,
    reader: new StoreReader(db),
    params: DEFAULT_DETECT_PARAMS,
    log: createLogger('silent'),
  });
  return {
    async scrape(profile: HeapProfile): Promise<void> {
      const stored = writer.appendProfile({ target, startedAt: profile.timeMs, durationMs: 1, body: new Uint8Array([0x1f, 0x8b]), profile });
      runner.enqueue({ target, startedAt: profile.timeMs, profile, stored });
      await runner.idle();
    },
    findings: (): Finding[] => new FindingStore(db).list('all'),
    close: () => db.close(),
  };
}

/**
 * Scrapes, every minute (`stepMinutes`) of `runs` (each [from, to] minutes, one run of the
 * daemon), a process whose age at minute m is `age(m)`; minutes between the
 * runs pass unscraped (the daemon is down).
 */
async function scenario(name: string, sites: Site[], age: (m: number) => number, runs: [number, number][], o: { forgetCarry?: boolean; stepMinutes?: number } = {}): Promise<Finding[]> {
  const path = join(dir, `${name}${o.forgetCarry ? '-forgotten' : ''}.db`);
  const rand = seededRandom(7);
  let findings: Finding[] = [];
  for (const [from, to] of runs) {
    const d = daemon(path, o);
    for (let m = from; m <= to; m += o.stepMinutes ?? 1) await d.scrape(profileAt(sites, age(m), rand, T0 + m * MIN));
    findings = d.findings();
    d.close();
  }
  return findings;
}

/** The warnings raised from `fromMinute` on, earliest first. */
const warnings = (fs: Finding[], fromMinute: number): Finding[] =>
  fs.filter((f) => f.severity !== 'info' && warnedAt(f)! >= T0 + fromMinute * MIN).sort((a, b) => warnedAt(a)! - warnedAt(b)!);
const minuteOf = (t: number): number => (t - T0) / MIN;

/** One warning in the process started at minute 150, inside its warm-up, for the leak the process before left open at `ageMinutes`. */
function warnedInWarmupAfter150(found: Finding[], ageMinutes: number): void {
  const again = warnings(found, 150);
  assert.equal(again.length, 1);
  const minute = minuteOf(warnedAt(again[0]!)!) - 150;
  assert.ok(minute < 60, `warned ${minute} min into the new process, inside its warm-up`);
  assert.deepEqual(again[0]!.evidence.leakedBefore, { ageMinutes });
}

describe('DetectorRunner across a daemon restart', () => {
  // The process restarts at minute 150 (the same build), 749 minutes old.
  const restartAt150 = (m: number): number => (m < 150 ? 600 + m : m - 150);

  it('a leak that warned before its process restarted warns in the new process without the warm-up, though the daemon restarted in between', async () => {
    const found = await scenario('mid-process', [leak], restartAt150, [
      [0, 160],
      [161, 240],
    ]);
    assert.ok(warnings(found, 0).some((f) => warnedAt(f)! < T0 + 150 * MIN), 'the leak warned in the first process');
    warnedInWarmupAfter150(found, 749);
  });

  it('and so when the daemon was down while the process restarted', async () => {
    const found = await scenario('down-across', [leak], restartAt150, [
      [0, 145],
      [160, 240],
    ]);
    // Its age when last judged: the first run of the daemon stopped at minute 145.
    warnedInWarmupAfter150(found, 745);
  });

  it('without the stored carry the new process holds the leak for its warm-up (what the store prevents)', async () => {
    const found = await scenario('mid-process', [leak], restartAt150, [
      [0, 160],
      [161, 240],
    ], { forgetCarry: true });
    const again = warnings(found, 150);
    assert.ok(again.every((f) => minuteOf(warnedAt(f)!) - 150 >= 60), JSON.stringify(again.map((f) => minuteOf(warnedAt(f)!))));
    assert.ok(again.every((f) => f.evidence.leakedBefore === undefined));
  });

  it("a crash loop's chain goes on across a daemon restart: the third process warns", async () => {
    // 60 MB/h, a new process every 45 minutes; the daemon restarts at minute 100, in the third.
    const found = await scenario('crash-loop', [crashLoopLeak], (m) => m % 45, [
      [0, 100],
      [101, 180],
    ]);
    const first = warnings(found, 0)[0];
    assert.ok(first, 'warned');
    const minute = minuteOf(warnedAt(first)!);
    assert.ok(minute >= 90 && minute < 135, `warned at minute ${minute}, in the third process`);
    assert.deepEqual(first.evidence.crashLoop, { processes: 2, endAges: [44, 44] });
  });

  it('without the stored carry the chain starts again after the daemon restart: no warning in the third process', async () => {
    const found = await scenario('crash-loop', [crashLoopLeak], (m) => m % 45, [
      [0, 100],
      [101, 180],
    ], { forgetCarry: true });
    assert.ok(warnings(found, 0).every((f) => minuteOf(warnedAt(f)!) >= 135), JSON.stringify(warnings(found, 0).map((f) => minuteOf(warnedAt(f)!))));
  });
  it('resumed from history cut at the longest horizon, a process is not taken as first watched there', async () => {
    // 150 MB loaded at start and watched since, scraped every 5 minutes; a
    // 20 MB/h leak at the same site from hour 30, and a daemon restart 10
    // minutes into it. The history resumed begins 24 hours back, at age 6
    // hours 10 minutes. Taken for a first sight, its 150 MB said 24 MB/h
    // before, and the leak's 20 MB/h read as a cache filling: it warned 95
    // minutes after it began. The hold ends once the watch is as long as the
    // past the level stands for, or 6 hours (confirm.ts:
    // slowerThanBeforeFirstSight), and resumed history is already 24 hours
    // long: it warns at 50.
    const site: Site = { fn: 'main.(*catalog).add', inuse: (m) => 150e6 + linear(20, 1800)(m), allocPerMin: steady(0.2) };
    const found = await scenario('long-watch', [site], (m) => m, [
      [0, 1810],
      [1815, 1960],
    ], { stepMinutes: 5 });
    const leakWarnings = warnings(found, 1800).filter((f) => f.function === 'main.(*catalog).add');
    assert.equal(leakWarnings.length, 1, JSON.stringify(found.map((f) => [f.classId, f.severity, minuteOf(f.detectedAt)])));
    const minute = minuteOf(warnedAt(leakWarnings[0]!)!) - 1800;
    assert.ok(minute <= 70, `warned ${minute} min after the leak began`);
  });
});
