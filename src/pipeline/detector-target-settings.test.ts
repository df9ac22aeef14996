/**
 * A target's own `detect:` settings (config: targets[], file_sd[], http_sd[])
 * are read over the global ones, and a reload that changes them restarts the
 * target's detection from stored history and open findings. The daemon's
 * store writer and detector runner on a real SQLite file, fed a synthetic
 * process scraped every minute that leaks 20 MB/h from its start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { warnedAt, type Finding } from '../detect/findings.js';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { createLogger } from '../log.js';
import { CarryStore } from '../store/carry.js';
import { openDatabase } from '../store/db.js';
import { FindingStore } from '../store/findings.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { Target } from '../targets/target.js';
import { seededRandom } from '../../test/helpers/random.js';
import { linear, MIN, profileAt, steady, type Site } from '../../test/helpers/synthetic-process.js';
import { DetectorRunner } from './detector.js';

const URL_ = 'http://127.0.0.1:1/debug/pprof/heap';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'heapwatch-target-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const leak: Site = { fn: 'main.(*store).keep', inuse: linear(20), allocPerMin: steady(1) };

/** The target as the config builds it, with its own detect settings (targets/build.ts). */
const targetWith = (detect?: Target['detect']): Target => ({ key: URL_, url: URL_, labels: { service: 's', instance: 'i' }, ...(detect ? { detect } : {}) }) as unknown as Target;

/**
 * Scrapes the leaking process every minute from minute 0 to `to`; from minute
 * `switchAt` on, the profiles come with `later`'s settings (a reload).
 */
async function run(name: string, first: Target, to: number, later?: { switchAt: number; target: Target }): Promise<Finding[]> {
  const db = openDatabase(join(dir, `${name}.db`));
  try {
    const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
    const runner = new DetectorRunner({ findings: new FindingStore(db), carry: new CarryStore(db), reader: new StoreReader(db), params: DEFAULT_DETECT_PARAMS, log: createLogger('silent') });
    const rand = seededRandom(11);
    for (let m = 0; m <= to; m++) {
      const target = later && m >= later.switchAt ? later.target : first;
      const profile = profileAt([leak], m, rand, T0 + m * MIN);
      const stored = writer.appendProfile({ target, startedAt: profile.timeMs, durationMs: 1, body: new Uint8Array([0x1f, 0x8b]), profile });
      runner.enqueue({ target, startedAt: profile.timeMs, profile, stored });
      await runner.idle();
    }
    return new FindingStore(db).list('all');
  } finally {
    db.close();
  }
}

const minuteWarned = (fs: Finding[]): number | undefined => {
  const w = fs.find((f) => f.function === leak.fn && warnedAt(f) !== null);
  return w ? (warnedAt(w)! - T0) / MIN : undefined;
};

describe("DetectorRunner with a target's own detect settings", () => {
  it('holds a leak from process start through the global warm-up, and pages sooner where the target sets warmup: 0s', async () => {
    const held = minuteWarned(await run('global', targetWith(), 80));
    assert.ok(held !== undefined && held >= 60, `with the global warm-up: warned at ${held}`);
    const own = minuteWarned(await run('own', targetWith({ warmup: 0 }), 80));
    assert.ok(own !== undefined && own < 50, `with warmup 0s: warned at ${own}`);
  });

  it('holds longer where the target sets a longer warm-up', async () => {
    const found = await run('longer', targetWith({ warmup: 2 * 60 * MIN }), 100);
    assert.equal(minuteWarned(found), undefined);
    const held = found.find((f) => f.function === leak.fn);
    assert.ok(held, 'the growth is shown, held at info');
    assert.equal(held.severity, 'info');
    assert.equal(held.classId, 'unclassified-growth');
    // Held until the process is two hours old (its start is estimated from its allocation counters).
    const until = (Date.parse(held.evidence.hold!.until) - T0) / MIN;
    assert.ok(Math.abs(until - 120) <= 5, `held until minute ${until}`);
  });

  it('applies a reload that changes them from stored history, keeping the one finding the site has', async () => {
    // Held at info through minute 44 under the global warm-up; then the
    // reload gives the target warmup: 0s.
    const found = await run('reload', targetWith(), 70, { switchAt: 45, target: targetWith({ warmup: 0 }) });
    const minute = minuteWarned(found);
    assert.ok(minute !== undefined && minute >= 45 && minute < 55, `warned at ${minute}, soon after the reload`);
    const atSite = found.filter((f) => f.function === leak.fn);
    assert.equal(atSite.length, 1, JSON.stringify(atSite.map((f) => [f.classId, f.severity, f.state, (f.detectedAt - T0) / MIN])));
  });
});
