/**
 * Goroutine counts in the store (migration 006) on real goroutine profiles
 * (test/fixtures/goroutine-corpus): keyframes plus changed-only deltas
 * rebuild every fetch exactly, a new heap epoch restarts the series with a
 * keyframe, failures and 404s are recorded, and retention keeps what remains
 * rebuildable.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import type { Target } from '../targets/target.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { FIXTURES } from '../../test/helpers/paths.js';
import { openDatabase } from './db.js';
import { GoroutineWriter } from './goroutine-writer.js';
import { pointProfile, readGoroutineSeries } from './goroutine-reader.js';
import { pruneOlderThan } from './retention.js';
import { StoreWriter } from './writer.js';

const LIMITS = { maxDecompressedBytes: 1 << 24 };
const MIN = 60_000;
const owner = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } };
const target = owner as unknown as Target;

function series(name: string): HeapProfile[] {
  const dir = join(FIXTURES, 'goroutine-corpus', name, 'profiles');
  return readdirSync(dir)
    .sort()
    .map((f) => decodeProfileFast(readFileSync(join(dir, f)), LIMITS).profile);
}

/** Goroutines per stack (frames joined), as the profile has them; a frameless sample counts in the total only, as in the heap's tables. */
function countsOf(p: HeapProfile): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < stackCount(p); i++) {
    if (stackFrames(p, i).length === 0) continue;
    const key = Array.from(stackFrames(p, i), (f) => p.functions[f]!.name).join(' < ');
    out.set(key, (out.get(key) ?? 0) + stackValue(p, i, 0));
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

/** A heap profile whose alloc counters stand at `alloc`: lower than the previous one is a restart. */
const heap = (alloc: number) => decodeProfileFast(syntheticHeapProfile([{ stack: [['main.run']], values: [alloc, alloc * 1000, 1, 1000] }]), LIMITS).profile;

describe('goroutine store', () => {
  it('rebuilds every fetch of a real series from keyframes and changed-only deltas, inside the heap epoch', () => {
    const db = openDatabase(':memory:');
    const heapWriter = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 1, spreadKeyframes: false });
    const epoch = heapWriter.appendProfile({ target, startedAt: 0, durationMs: 1, body: new Uint8Array(2), profile: heap(100) }).epochId;
    const writer = new GoroutineWriter(db, { keyframeEvery: 10 });
    const profiles = series('leak-kitex-handler-chan-recv');
    const results = profiles.map((p, i) => writer.append({ owner, kind: 'goroutine', startedAt: (i + 1) * MIN, durationMs: 2, bodyBytes: 100, profile: p }));
    assert.deepEqual(
      results.map((r) => r.keyframe).slice(0, 12),
      [true, false, false, false, false, false, false, false, false, false, true, false],
    );
    assert.ok(results.every((r) => r.epochId === epoch));
    // A delta holds the changed stacks and functions only: far fewer rows than a keyframe.
    assert.ok(results[5]!.rows < results[0]!.rows / 3, `${results[5]!.rows} vs ${results[0]!.rows}`);
    const stored = readGoroutineSeries(db, owner.key, 'goroutine', 0);
    assert.equal(stored.points.length, profiles.length);
    stored.points.forEach((point, i) => {
      assert.deepEqual(countsOf(pointProfile(point, stored.frames, 'goroutine')), countsOf(profiles[i]!), `fetch ${i}`);
      assert.equal(point.total, profiles[i]!.totals[0]);
    });
    const fn = db
      .prepare(
        `SELECT SUM(v.goroutines) FROM goroutine_function_values v JOIN functions f ON f.id = v.function_id JOIN goroutine_scrapes s ON s.id = v.scrape_id
          WHERE f.name = 'main.(*enrichingEcho).Echo' AND s.id <= ?`,
      )
      .pluck()
      .get(results[9]!.scrapeId);
    assert.equal(fn, countsOf(profiles[9]!).get([...countsOf(profiles[9]!).keys()].find((k) => k.includes('enrichingEcho'))!));
  });

  it('starts a new heap epoch with a keyframe, keeps kinds apart, and records failures and 404s', () => {
    const db = openDatabase(':memory:');
    const heapWriter = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 1, spreadKeyframes: false });
    heapWriter.appendProfile({ target, startedAt: 0, durationMs: 1, body: new Uint8Array(2), profile: heap(100) });
    const writer = new GoroutineWriter(db, { keyframeEvery: 100 });
    const g = series('leak-chan-send');
    const leak = series('leakprof-chan-send');
    writer.append({ owner, kind: 'goroutine', startedAt: MIN, durationMs: 1, bodyBytes: 1, profile: g[0]! });
    writer.append({ owner, kind: 'goroutineleak', startedAt: MIN, durationMs: 1, bodyBytes: 1, profile: leak[0]! });
    assert.equal(writer.append({ owner, kind: 'goroutine', startedAt: 2 * MIN, durationMs: 1, bodyBytes: 1, profile: g[1]! }).keyframe, false);
    const second = heapWriter.appendProfile({ target, startedAt: 3 * MIN, durationMs: 1, body: new Uint8Array(2), profile: heap(10) });
    assert.equal(second.transition, 'restart');
    const after = writer.append({ owner, kind: 'goroutine', startedAt: 4 * MIN, durationMs: 1, bodyBytes: 1, profile: g[2]! });
    assert.equal(after.keyframe, true);
    assert.equal(after.epochId, second.epochId);
    // The new epoch's series only.
    assert.deepEqual(readGoroutineSeries(db, owner.key, 'goroutine', 0).points.map((p) => p.scrapeId), [after.scrapeId]);
    assert.equal(readGoroutineSeries(db, owner.key, 'goroutineleak', 0).points[0]!.total, leak[0]!.totals[0]);
    writer.appendFailure(owner, 'goroutineleak', 5 * MIN, 3, { code: 'HW_ERR_SCRAPE_HTTP_STATUS', message: 'HTTP 404' }, true);
    const outcomes = db.prepare(`SELECT kind, outcome, error_code AS code FROM goroutine_scrapes ORDER BY id`).all();
    assert.deepEqual(outcomes.at(-1), { kind: 'goroutineleak', outcome: 'unavailable', code: 'HW_ERR_SCRAPE_HTTP_STATUS' });
  });

  it('retention deletes goroutine fetches before the last keyframe at the cutoff, and the rest still rebuilds', async () => {
    const db = openDatabase(':memory:');
    new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 1, spreadKeyframes: false }).appendProfile({
      target,
      startedAt: 0,
      durationMs: 1,
      body: new Uint8Array(2),
      profile: heap(100),
    });
    const writer = new GoroutineWriter(db, { keyframeEvery: 5 });
    const profiles = series('leak-select-no-cancel').slice(0, 20);
    profiles.forEach((p, i) => writer.append({ owner, kind: 'goroutine', startedAt: (i + 1) * MIN, durationMs: 1, bodyBytes: 1, profile: p }));
    // Keyframes at fetches 1, 6, 11, 16 (minutes); the cutoff at minute 13 keeps from the keyframe at 11.
    const r = await pruneOlderThan(db, 13 * MIN);
    assert.equal(r.goroutineScrapesDeleted, 10);
    const left = readGoroutineSeries(db, owner.key, 'goroutine', 0);
    assert.equal(left.points.length, 10);
    left.points.forEach((point, k) => assert.deepEqual(countsOf(pointProfile(point, left.frames, 'goroutine')), countsOf(profiles[10 + k]!)));
  });
});
