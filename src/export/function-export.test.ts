/**
 * Per-function series refreshes: at once for a new epoch and after a
 * finding, otherwise at most every minRefreshMs per target and within the
 * fleet-wide refreshes-per-second budget, so a fleet that comes due together
 * is refreshed over the following seconds instead of in one burst.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionsView } from '../store/reader.js';
import type { Target } from '../targets/target.js';
import { FunctionExport, type FunctionExportDeps } from './function-export.js';

function setup(opts: Partial<FunctionExportDeps> = {}) {
  const views: number[] = [];
  const exported: string[] = [];
  const view: FunctionsView = { epochId: 1, from: { scrapeId: 1, ts: 0 }, to: { scrapeId: 2, ts: 1 }, functions: [] };
  const fx = new FunctionExport({
    reader: {
      functionsView: (targetId) => {
        views.push(targetId);
        return view;
      },
    },
    metrics: { observeModules: () => undefined, observeTopFunctions: (t) => void exported.push(t.key) },
    topFunctions: () => 10,
    keep: () => new Set(),
    minRefreshMs: 30_000,
    refreshesPerSecond: 5,
    ...opts,
  });
  return { fx, views, exported };
}

const target = (n: number): Target => ({ key: `k${n}`, url: `u${n}`, labels: {} }) as unknown as Target;
const scrape = (n: number, transition = 'same_epoch') => ({ target: target(n), targetId: n, transition, modules: [] });

describe('function export budget', () => {
  it('refreshes a new epoch at once, then at most every minRefreshMs', () => {
    const { fx, views } = setup();
    fx.onScrape(scrape(1, 'first'), 0);
    fx.onScrape(scrape(1), 10_000);
    fx.onScrape(scrape(1), 29_000);
    assert.deepEqual(views, [1]);
    fx.onScrape(scrape(1), 31_000);
    assert.deepEqual(views, [1, 1]);
    fx.onScrape(scrape(1, 'restart'), 32_000);
    assert.deepEqual(views, [1, 1, 1], 'a new epoch is refreshed whatever the timing');
  });

  it('spreads refreshes that come due together over the following seconds', () => {
    const { fx, views } = setup();
    for (let n = 0; n < 20; n++) fx.onScrape(scrape(n, 'first'), 0);
    assert.equal(views.length, 20, 'first scrapes are not budgeted');
    views.length = 0;
    // All 20 due at once, 60 s later: 5 now (the bucket holds one second's worth).
    for (let n = 0; n < 20; n++) fx.onScrape(scrape(n), 60_000);
    assert.equal(views.length, 5);
    assert.equal(fx.counts.postponed, 15);
    // The postponed ones come back at their next scrapes, 5 a second.
    for (let n = 0; n < 20; n++) fx.onScrape(scrape(n), 61_000);
    assert.equal(views.length, 10);
    assert.equal(new Set(views).size, 10, 'each target refreshed once');
  });

  it('refreshes at the next scrape after a finding, outside the budget', () => {
    const { fx, views } = setup({ refreshesPerSecond: 0.001 });
    fx.onScrape(scrape(1, 'first'), 0);
    fx.onScrape(scrape(1), 100_000);
    assert.deepEqual(views, [1], 'the budget is spent');
    fx.invalidate('k1');
    fx.onScrape(scrape(1), 100_001);
    assert.deepEqual(views, [1, 1]);
  });
});
