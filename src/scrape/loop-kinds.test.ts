/**
 * A loop fetching goroutine kinds, with a fake scraper and sink: the
 * goroutine profile follows every heap scrape from the sibling endpoint, the
 * goroutineleak profile only when its own interval has come, a 404 is
 * handed on once and that kind is not asked for again, and nothing of a
 * goroutine kind is fetched when the heap scrape failed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import type { ProfileKind, ProfileSink } from '../pipeline/source.js';
import type { Target } from '../targets/target.js';
import { ScrapeLoop } from './loop.js';
import type { FetchedProfile, Scraper } from './scraper.js';

const target = (profiles: Target['profiles'], leakIntervalMs: number): Target =>
  ({
    key: 'http://127.0.0.1:6000/debug/pprof/heap',
    url: 'http://127.0.0.1:6000/debug/pprof/heap',
    fetchUrl: 'http://127.0.0.1:6000/debug/pprof/heap?token=s3cret',
    labels: { service: 's' },
    intervalMs: 1000,
    timeoutMs: 1000,
    profiles,
    goroutineleakIntervalMs: leakIntervalMs,
    headers: {},
    secretHeaders: [],
    auth: { kind: 'none' },
  }) as unknown as Target;

function fakes(notFound: string[] = [], heapDown = false) {
  const fetched: string[] = [];
  const accepted: ProfileKind[] = [];
  const rejected: { kind: ProfileKind; code: string }[] = [];
  const scraper: Scraper = {
    async fetch(t: Target): Promise<FetchedProfile> {
      fetched.push(t.fetchUrl);
      const path = new URL(t.fetchUrl).pathname;
      if (heapDown && path.endsWith('/heap')) throw new HeapwatchError('HW_ERR_SCRAPE_CONNECT', 'refused');
      if (notFound.some((p) => path.endsWith(`/${p}`))) throw new HeapwatchError('HW_ERR_SCRAPE_HTTP_STATUS', 'HTTP 404');
      return { body: new Uint8Array([1]), status: 200, contentType: '' };
    },
    async close() {},
  };
  const sink: ProfileSink = {
    accept: async (a) => (accepted.push(a.kind), { ok: true }),
    reject: (_o, kind, _s, _d, error) => (rejected.push({ kind, code: error.code }), { ok: false, error }),
    forget: () => undefined,
  };
  return { fetched, accepted, rejected, scraper, sink };
}

/** Runs `n` scrapes of one loop, `gapMs` of real time apart. */
async function scrapes(loop: ScrapeLoop, n: number, gapMs: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    loop.tick(loop.status.nextDueAt);
    while (loop.status.scrapes < i + 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

describe('ScrapeLoop: goroutine kinds', () => {
  it('fetches the goroutine profile after each heap scrape and goroutineleak on its own interval, from the sibling endpoints', async () => {
    const f = fakes();
    const loop = new ScrapeLoop(target(['heap', 'goroutine', 'goroutineleak'], 150), { scraper: f.scraper, sink: f.sink, limit: (fn) => fn() }, Date.now());
    await scrapes(loop, 4, 60);
    const paths = f.fetched.map((u) => new URL(u).pathname.split('/').pop());
    assert.equal(paths.filter((p) => p === 'heap').length, 4);
    assert.equal(paths.filter((p) => p === 'goroutine').length, 4);
    // First with the first scrape, then once 150 ms have passed: 2 of 4 scrapes ~65 ms apart.
    assert.equal(paths.filter((p) => p === 'goroutineleak').length, 2);
    assert.ok(f.fetched.every((u) => u.endsWith('?token=s3cret')), 'the query (credentials) is kept');
    assert.deepEqual(f.accepted.slice(0, 3), ['heap', 'goroutine', 'goroutineleak']);
  });

  it('hands a 404 on once and does not ask for that kind again; the heap target stays up', async () => {
    const f = fakes(['goroutineleak']);
    const loop = new ScrapeLoop(target(['heap', 'goroutine', 'goroutineleak'], 1), { scraper: f.scraper, sink: f.sink, limit: (fn) => fn() }, Date.now());
    await scrapes(loop, 3, 5);
    assert.deepEqual(f.rejected, [{ kind: 'goroutineleak', code: 'HW_ERR_SCRAPE_HTTP_STATUS' }]);
    assert.deepEqual(loop.status.unavailable, ['goroutineleak']);
    assert.equal(f.fetched.filter((u) => u.includes('/goroutineleak')).length, 1);
    assert.equal(f.accepted.filter((k) => k === 'goroutine').length, 3);
    assert.equal(loop.status.health, 'up');
  });

  it('fetches no goroutine kind when the heap scrape failed, and none when only heap is configured', async () => {
    const down = fakes([], true);
    await scrapes(new ScrapeLoop(target(['heap', 'goroutine'], 1), { scraper: down.scraper, sink: down.sink, limit: (fn) => fn() }, Date.now()), 2, 5);
    assert.ok(down.fetched.every((u) => u.includes('/heap')));
    const heapOnly = fakes();
    await scrapes(new ScrapeLoop(target(['heap'], 1), { scraper: heapOnly.scraper, sink: heapOnly.sink, limit: (fn) => fn() }, Date.now()), 2, 5);
    assert.deepEqual(heapOnly.accepted, ['heap', 'heap']);
  });
});
