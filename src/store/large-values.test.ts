/**
 * Each stack's inuse in large objects, stored beside its values (migration
 * 008): the history a daemon restores after a restart splits a stack's
 * objects by size as the live profiles did, where the mean of a merged
 * stack hides 8 MiB buffers among small ones. Real profiles of netpoll's
 * read buffers on a server sent 2-7 MiB requests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeHeapProfile } from '../pprof/decode.js';
import { forEachInuseStack, largeOnAverage, type HeapProfile } from '../pprof/profile.js';
import type { Target } from '../targets/target.js';
import { openDatabase } from './db.js';
import { downsample } from './downsample.js';
import { StoreReader, type StackHistory } from './reader.js';
import { StoreWriter } from './writer.js';

const SERIES = new URL('../../../test/fixtures/corpus/leak-oversized-requests-5min/profiles/', import.meta.url);
const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const body = new Uint8Array([0x1f, 0x8b]);

/** Profiles 30-41 of the series: the leak's buffers are in use, some beside small objects of the same stack. */
const profiles: HeapProfile[] = Array.from({ length: 12 }, (_, k) =>
  decodeHeapProfile(readFileSync(new URL(`${String(30 + k).padStart(4, '0')}.pb.gz`, SERIES)), { maxDecompressedBytes: 1 << 28 }),
);

/** Stack (function names, leaf first) -> [bytes, objects] in large objects, as the decoder reads the profile. */
function decodedLarge(p: HeapProfile): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const names = p.functions.map((f) => f.name);
  forEachInuseStack(p, (frames, _b, _o, _ab, _ao, lb, lo) => {
    if (lo === 0) return;
    const key = [...frames].map((f) => names[f]).join(';');
    const v = out.get(key) ?? [0, 0];
    out.set(key, [v[0] + lb, v[1] + lo]);
  });
  return out;
}

/** The same, per restored point, and whether each point carried the split at all. */
function restoredLarge(h: StackHistory): { split: boolean; large: Map<string, [number, number]>; mixed: number }[] {
  const out = [];
  for (const p of h.points) {
    const large = new Map<string, [number, number]>();
    let split = true;
    let mixed = 0;
    for (const [id, v] of p.stacks) {
      if (v.length < 5) {
        split = false;
        continue;
      }
      const [b, o, , lb, lo] = v as readonly [number, number, number, number, number];
      if (lo === 0) continue;
      large.set(h.frames.get(id)!.join(';'), [lb, lo]);
      // Large objects the stack's mean would not show.
      if (lb < b && !largeOnAverage(b, o)) mixed++;
    }
    out.push({ split, large, mixed });
  }
  return out;
}

function store() {
  const db = openDatabase(':memory:');
  const writer = new StoreWriter(db, { keyframeEvery: 4, keepLatestProfiles: 2 });
  const results = profiles.map((profile) => writer.appendProfile({ target, startedAt: profile.timeMs, durationMs: 5, body, profile }));
  return { db, reader: new StoreReader(db), last: results.at(-1)!, results };
}

describe('stored large-object values', () => {
  it('restore every stack split by object size as the profiles were, across keyframes and deltas', () => {
    const { reader, last, results } = store();
    assert.ok(results.some((r) => r.keyframe) && results.some((r) => !r.keyframe));
    const restored = restoredLarge(reader.stackHistory(last.epochId, 0, last.scrapeId + 1));
    assert.equal(restored.length, profiles.length);
    restored.forEach((r, k) => {
      assert.ok(r.split, `point ${k} carries the split`);
      assert.deepEqual(r.large, decodedLarge(profiles[k]!), `point ${k}`);
    });
    assert.ok(
      restored.some((r) => r.mixed > 0),
      'some point holds large objects in a stack whose mean is small (what the mean alone lost)',
    );
  });

  it('keep each kept scrape exact after downsampling drops the others', async () => {
    const { db, reader, last } = store();
    const { scrapesDropped } = await downsample(db, Infinity, 15 * 60_000);
    assert.ok(scrapesDropped > 0);
    const kept = (db.prepare(`SELECT ts FROM scrapes WHERE outcome = 'ok' ORDER BY id`).pluck().all() as number[]).map((ts) =>
      profiles.findIndex((p) => p.timeMs === ts),
    );
    assert.equal(kept.length, profiles.length - scrapesDropped);
    const restored = restoredLarge(reader.stackHistory(last.epochId, 0, last.scrapeId + 1));
    assert.equal(restored.length, kept.length);
    restored.forEach((r, k) => assert.deepEqual(r.large, decodedLarge(profiles[kept[k]!]!), `kept point ${k}`));
    // A dropped scrape's rows went with it.
    assert.equal(db.prepare(`SELECT COUNT(*) FROM stack_large_values WHERE scrape_id NOT IN (SELECT id FROM scrapes)`).pluck().get(), 0);
  });

  it('leave scrapes stored before the split without it, so detection falls back to the mean there', () => {
    const { db, reader, last, results } = store();
    // What a store upgraded from migration 007 holds: the first half was written before.
    const before = results[5]!.scrapeId;
    db.prepare(`DELETE FROM stack_large_values WHERE scrape_id <= ?`).run(before);
    db.prepare(`UPDATE scrapes SET large_split = 0 WHERE id <= ?`).run(before);
    const restored = restoredLarge(reader.stackHistory(last.epochId, 0, last.scrapeId + 1));
    assert.deepEqual(
      restored.map((r) => r.split),
      results.map((r) => r.scrapeId > before),
    );
    restored.forEach((r, k) => {
      if (r.split) assert.deepEqual(r.large, decodedLarge(profiles[k]!));
    });
  });
});
