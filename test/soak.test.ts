/**
 * Short soak for CI: the daemon as a child process scrapes 50 simulated
 * targets (real recorded corpus series) every second for 60 cycles, with a
 * full GC forced in it every second; its RSS and retained JS heap must not
 * grow (heapwatch's own trend detector, after a 20 % warm-up), RSS must end
 * near its post-warm-up median, and the scrapes must actually have happened. Ratios only: no absolute timings.
 * Its negative control plants a leak in the daemon (1 MiB a second) and
 * must read "growing": the forced GC frees garbage, not what is retained.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSeries, formatSoak, runSoak } from './helpers/soak.js';

const TARGETS = 50;
const CYCLES = 60;
const PLANTED_CYCLES = 30;
const MiB = 1024 * 1024;

describe('soak (short)', () => {
  it('keeps the daemon memory flat over 60 cycles of 50 targets at 1 s', { timeout: 180_000 }, async () => {
    // A 15-minute detection window (15 points a target, corpus profiles are a
    // minute apart) so the bounded per-target detector history fills during
    // the warm-up; with the default 2 h it would still be filling at the end.
    // forceGc: judged on what the daemon retains. Without it V8's heap-used
    // counts garbage until its next mark-compact, which a one-minute run may
    // or may not see: the same build read flat, "slowed" and +39 MiB growing.
    const r = await runSoak({ targets: TARGETS, intervalS: 1, cycles: CYCLES, detectWindow: '15m', forceGc: true });
    console.log(formatSoak(r));
    console.log(`t RSS heap (MiB), every 5 s:\n${formatSeries(r, 5)}`);
    assert.ok(r.samples >= CYCLES * 0.9, `sampled ${r.samples} of ${CYCLES + 1} seconds`);
    assert.notEqual(r.verdict, 'insufficient', 'enough samples to judge the trend');
    assert.notEqual(r.verdict, 'growing', `memory is growing: RSS ${r.rss.trend.reason ?? 'growing'}, heap ${r.heap.trend.reason ?? 'growing'}\n${r.logTail}`);
    assert.ok(r.rss.end <= 1.5 * r.rss.median, `RSS end ${r.rss.end} > 1.5 × post-warm-up median ${r.rss.median}`);
    const stored = r.scrapesOk + r.scrapesStale;
    assert.ok(stored >= TARGETS * CYCLES * 0.8, `${stored} successful scrapes < 80 % of ${TARGETS * CYCLES}\n${r.logTail}`);
  });

  it('still reads a planted leak of 1 MiB a second as growing, forced GC and all', { timeout: 120_000 }, async () => {
    // Shorter and smaller than the run above (the plant outgrows the 16 MiB
    // floor within 20 s); the detection window still fills in the warm-up.
    const r = await runSoak({ targets: 20, intervalS: 1, cycles: PLANTED_CYCLES, detectWindow: '5m', forceGc: true, plantLeak: true });
    console.log(formatSoak(r));
    assert.ok(r.samples >= PLANTED_CYCLES * 0.9, `sampled ${r.samples} of ${PLANTED_CYCLES + 1} seconds`);
    assert.equal(r.heap.trend.growing, true, `the planted leak did not read as heap growth: ${r.heap.trend.reason ?? ''}\n${formatSeries(r, 5)}`);
    assert.equal(r.verdict, 'growing');
    // About 1 MiB a second over the judged 80 % of the run, minus what GC timing hides.
    const judgedS = r.series.at(-1)!.t - r.series[Math.floor(r.series.length * 0.2)]!.t;
    assert.ok(r.heap.end - r.heap.median >= 0.25 * judgedS * MiB, `heap rose ${((r.heap.end - r.heap.median) / MiB).toFixed(1)} MiB from its post-warm-up median`);
  });
});
