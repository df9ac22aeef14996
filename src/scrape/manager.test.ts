/**
 * Scheduling with a fake scraper (as Prometheus's testScraper): no target
 * ever has two scrapes in flight, the global cap holds, slots are stable and
 * spread over the interval, and sync() starts, stops and replaces loops.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../targets/target.js';
import { jitterOffset, nextSlot } from './jitter.js';
import { ScrapeManager } from './manager.js';
import type { FetchedProfile, Scraper } from './scraper.js';
import type { ProfileSink } from '../pipeline/source.js';

const target = (n: number, intervalMs = 1000): Target =>
  ({
    key: `http://127.0.0.1:${6000 + n}/debug/pprof/heap`,
    url: `http://127.0.0.1:${6000 + n}/debug/pprof/heap`,
    labels: { service: 's' },
    intervalMs,
    timeoutMs: intervalMs,
  }) as unknown as Target;

/** A scraper that takes `ms` per fetch and records concurrency. */
function slowScraper(ms: number): Scraper & { inFlight: Map<string, number>; maxPerTarget: number; max: number; calls: number } {
  const s = {
    inFlight: new Map<string, number>(),
    maxPerTarget: 0,
    max: 0,
    calls: 0,
    current: 0,
    async fetch(t: Target): Promise<FetchedProfile> {
      s.calls++;
      s.current++;
      s.max = Math.max(s.max, s.current);
      const n = (s.inFlight.get(t.key) ?? 0) + 1;
      s.inFlight.set(t.key, n);
      s.maxPerTarget = Math.max(s.maxPerTarget, n);
      await new Promise((r) => setTimeout(r, ms));
      s.inFlight.set(t.key, n - 1);
      s.current--;
      return { body: new Uint8Array(), status: 200, contentType: '' };
    },
    async close() {},
  };
  return s;
}

const sink: ProfileSink = { accept: async () => ({ ok: true }), reject: (_o, _k, _s, _d, error) => ({ ok: false, error }), forget: () => undefined };

describe('ScrapeManager', () => {
  it('never runs two scrapes of one target at once, and counts the skipped slots', async () => {
    const scraper = slowScraper(250);
    let skipped = 0;
    const m = new ScrapeManager({ scraper, sink, maxConcurrentScrapes: 100, onSkip: () => skipped++ });
    await m.sync([target(1, 100)]);
    // Drive ticks by hand, every 20 ms for 1 s (the real clock ticks each second).
    for (let t = 0; t < 50; t++) {
      m.tick(Date.now());
      await new Promise((r) => setTimeout(r, 20));
    }
    await m.stop();
    assert.equal(scraper.maxPerTarget, 1);
    assert.ok(skipped > 0, 'slots passed while a scrape was running are skipped');
    assert.ok(scraper.calls >= 3 && scraper.calls <= 5, `${scraper.calls} scrapes of 250 ms in 1 s`);
  });

  it('holds the global cap on concurrent scrapes', async () => {
    const scraper = slowScraper(100);
    const m = new ScrapeManager({ scraper, sink, maxConcurrentScrapes: 3 });
    await m.sync(Array.from({ length: 10 }, (_, n) => target(n, 1000)));
    const now = Date.now() + 2000; // every slot is due
    m.tick(now);
    await new Promise((r) => setTimeout(r, 600));
    await m.stop();
    assert.equal(scraper.calls, 10);
    assert.equal(scraper.max, 3);
  });

  it('sync starts new loops, stops removed ones and replaces changed ones', async () => {
    const m = new ScrapeManager({ scraper: slowScraper(1), sink, maxConcurrentScrapes: 4 });
    const changes: [number, number][] = [];
    const m2 = new ScrapeManager({ scraper: slowScraper(1), sink, maxConcurrentScrapes: 4, onTargetsChanged: (a, r) => changes.push([a.length, r.length]) });
    await m2.sync([target(1), target(2)]);
    await m2.sync([target(2), target(3)]);
    await m2.sync([target(2, 5000), target(3)]); // interval changed: replaced, not removed
    assert.deepEqual(changes, [
      [2, 0],
      [1, 1],
      [1, 0],
    ]);
    assert.deepEqual(m2.targets().map((t) => t.intervalMs).sort(), [1000, 5000]);
    await m.stop();
    await m2.stop();
  });

  it('gives each target a stable slot, spread over the interval', () => {
    const offsets = Array.from({ length: 1000 }, (_, n) => jitterOffset(target(n).key, 60_000));
    assert.deepEqual(offsets, Array.from({ length: 1000 }, (_, n) => jitterOffset(target(n).key, 60_000)));
    const perTenth = new Array<number>(10).fill(0);
    for (const o of offsets) perTenth[Math.floor(o / 6000)]!++;
    for (const c of perTenth) assert.ok(c > 60 && c < 140, `slots per 6 s bucket: ${perTenth.join(',')}`);
    assert.equal(nextSlot(61_000, 60_000, 5_000), 65_000);
    assert.equal(nextSlot(65_000, 60_000, 5_000), 65_000);
  });
});
