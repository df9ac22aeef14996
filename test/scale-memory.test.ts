/**
 * Issue 17's memory test (a test, not a benchmark): the real daemon,
 * in-process, scrapes 50 loopback targets serving recorded production-size
 * profiles (test/fixtures/profiles/scale: a gRPC gateway, ~100 KB, ~1,000
 * functions; a client-go controller, ~450 KB, ~1,900 functions, ~5,000
 * stacks), each series a real process whose values change from profile to
 * profile, until every target has 120 stored scrapes. The JS heap and
 * array buffers after a full GC must stay within a fixed budget per target, and must not grow
 * between the 60th and the 120th scrape.
 *
 * Bounded: 120 scrapes a target at most the scheduler's rate, a deadline,
 * loopback only, the daemon stopped in every case.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startDaemon, type Daemon } from '../src/main.js';
import { startFleet, type Fleet } from './helpers/fleet.js';
import { waitFor } from './helpers/daemon.js';
import { mixedSeries, sizeOf } from './helpers/scale-series.js';

const TARGETS = 50;
/**
 * 120, not 200: the run is CPU-bound (the daemon cannot keep 50 targets at
 * 1 s on 2 cores), and at 200 it took 270-340 s of a CI limit of 900 for all
 * of `npm test`; at 150 (~152 s) `npm test` reached 850 s of the 900 as the
 * corpus grew. Halfway to the end still spans 60 scrapes a target.
 */
const SCRAPES = 120;
/** 80 % at ~100 KB, 20 % at ~450 KB (the whole run stays within minutes on a 2-core machine). */
const MIX = [0, 8, 2] as const;
/**
 * The budget (README, Performance): JS heap and array buffers per target, whatever the number
 * of scrapes. It covers the writer's delta state (sorted typed arrays, 20 B
 * per live stack and function), the detection session, the target's cached
 * metric lines, its scrape loop, and its share of the function and stack
 * dictionaries. Measured (JS heap + array buffers): 0.76 MiB a target
 * (70.5 MiB after GC for 50 targets over a 32.7 MiB baseline), 69.6 / 70.2 /
 * 70.5 MiB at 20 / 100 / 200 scrapes a target; 0.80 MiB a target at 200 on
 * 2026-12-03 (238.2 / 238.3 / 239.1 MiB over a 199.2 MiB baseline).
 */
const BUDGET_PER_TARGET = 1.5 * 1024 * 1024;
/** From halfway (the 60th scrape) to the last the heap may move by GC noise only. */
const FLAT_SLACK = 0.1;
const MiB = 1024 * 1024;
const HALFWAY = SCRAPES / 2;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (opts?: { type: 'major'; execution: 'sync' }) => void;

/** JS heap plus array buffers (typed arrays keep their bytes outside the V8 heap) after a full GC. */
function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('memory at scale (issue 17)', () => {
  let fleet: Fleet | undefined;
  let daemon: Daemon | undefined;
  after(async () => {
    await daemon?.stop();
    await fleet?.close();
  });

  it(`keeps the JS heap and array buffers within ${BUDGET_PER_TARGET / MiB} MiB per target over ${TARGETS} targets × ${SCRAPES} scrapes of production-size profiles`, { timeout: 900_000 }, async () => {
    fleet = await startFleet({ targets: TARGETS, interval: '1s', timeout: '30s', maxConcurrentScrapes: 8, seriesOf: mixedSeries(MIX), logLevel: 'silent' });
    const scrapes = new Map<string, number>();
    const minScrapes = (): number => (scrapes.size < TARGETS ? 0 : Math.min(...scrapes.values()));
    const base = heapAfterGc();
    daemon = await startDaemon(fleet.configPath, {
      logLevel: 'silent',
      onIngested: (i) => scrapes.set(i.target.key, (scrapes.get(i.target.key) ?? 0) + 1),
    });
    const heapAt = new Map<number, number>();
    for (const mark of [20, HALFWAY, SCRAPES]) {
      await waitFor(`${mark} stored scrapes on every target (now ${minScrapes()})`, () => minScrapes() >= mark, 600_000, 250);
      heapAt.set(mark, heapAfterGc());
    }
    const total = [...scrapes.values()].reduce((a, n) => a + n, 0);
    const large = Array.from({ length: TARGETS }, (_, n) => sizeOf(n, MIX)).filter((s) => s === 'large').length;
    const perTarget = (heapAt.get(SCRAPES)! - base) / TARGETS;
    console.log(
      `targets ${TARGETS} (${large} at ~450 KB), stored scrapes ${total}; heap after GC: before ${(base / MiB).toFixed(1)} MiB, ` +
        `at 20/${HALFWAY}/${SCRAPES} scrapes a target ${[...heapAt.values()].map((h) => (h / MiB).toFixed(1)).join(' / ')} MiB; ` +
        `${(perTarget / MiB).toFixed(2)} MiB per target (budget ${BUDGET_PER_TARGET / MiB} MiB)`,
    );
    assert.ok(perTarget <= BUDGET_PER_TARGET, `${(perTarget / MiB).toFixed(2)} MiB of JS heap and array buffers per target > budget ${BUDGET_PER_TARGET / MiB} MiB`);
    const mid = heapAt.get(HALFWAY)!;
    const end = heapAt.get(SCRAPES)!;
    assert.ok(end <= mid + FLAT_SLACK * (mid - base) + 4 * MiB, `heap grew from ${(mid / MiB).toFixed(1)} MiB (${HALFWAY} scrapes) to ${(end / MiB).toFixed(1)} MiB (${SCRAPES})`);
  });
});
