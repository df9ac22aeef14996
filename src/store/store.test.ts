/**
 * The store on synthetic profiles with known values: keyframes plus deltas
 * rebuild every scrape exactly, stale profiles store nothing new, a restart
 * starts a new epoch with a keyframe, and retention keeps what remains
 * rebuildable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeapProfile } from '../pprof/decode.js';
import type { Target } from '../targets/target.js';
import { storedFunctionValues } from '../../test/helpers/store-queries.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { openDatabase } from './db.js';
import { CarryStore } from './carry.js';
import { FindingStore } from './findings.js';
import { StoreReader } from './reader.js';
import { downsample } from './downsample.js';
import { pruneOlderThan } from './retention.js';
import { keyframePhase, StoreWriter, type WriterOptions } from './writer.js';

const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const limits = { maxDecompressedBytes: 1 << 24 };
const MIN = 60_000;

/** A profile where `leak` holds `n` MB and `steady` 5 MB; alloc counters grow with `alloc`. */
function profile(n: number, alloc: number, extra = 0): ReturnType<typeof decodeHeapProfile> {
  return decodeHeapProfile(
    syntheticHeapProfile([
      { stack: [['main.leak'], ['main.run']], values: [alloc, alloc * 1000, n, n * 1e6] },
      { stack: [['main.steady'], ['main.run']], values: [alloc, alloc * 1000, 5, 5e6 + extra] },
    ]),
    limits,
  );
}

/** Keyframes every `keyframeEvery` scrapes from each epoch's first (not spread), unless `opts` says otherwise. */
function setup(keyframeEvery = 3, opts: Partial<WriterOptions> = {}) {
  const db = openDatabase(':memory:');
  return { db, writer: new StoreWriter(db, { keyframeEvery, keepLatestProfiles: 2, spreadKeyframes: false, ...opts }), reader: new StoreReader(db) };
}

const body = new Uint8Array([0x1f, 0x8b]);

describe('store', () => {
  it('rebuilds every scrape from keyframes and changed-only deltas', () => {
    const { writer, reader, db } = setup(3);
    const results = [];
    for (let i = 1; i <= 8; i++) results.push(writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i, i * 10) }));
    assert.deepEqual(results.map((r) => r.keyframe), [true, false, false, true, false, false, true, false]);
    const names = new Map((db.prepare('SELECT id, name FROM functions').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
    for (const [i, r] of results.entries()) {
      const state = new Map([...reader.functionStateAt(r.epochId, r.scrapeId)].map(([id, v]) => [names.get(id), v[0]]));
      assert.deepEqual(state, new Map([['main.leak', (i + 1) * 1e6], ['main.steady', 5e6]]));
      if (!r.keyframe) {
        // Only the changed function is stored in a delta.
        assert.deepEqual([...storedFunctionValues(db, r.scrapeId).values()], [[1e6, 1]]);
      }
    }
    const view = reader.functionsView(results[0]!.targetId, 3 * MIN, 'growth', 10)!;
    assert.equal(view.functions[0]!.name, 'main.leak');
    assert.equal(view.functions[0]!.deltaBytes, 3e6);
    assert.equal(view.functions[0]!.bytesPerHour, 60e6);
  });

  it('spreads periodic keyframes of targets that started together across cycles, and still rebuilds every scrape', () => {
    const every = 6;
    const { writer, reader } = setup(every, { spreadKeyframes: true });
    const targets = Array.from({ length: 60 }, (_, n) => ({ ...target, key: `http://127.0.0.1:1/t/${n}/debug/pprof/heap`, url: `http://127.0.0.1:1/t/${n}/debug/pprof/heap` }));
    const perCycle: number[] = [];
    const last = new Map<string, number>();
    for (let cycle = 1; cycle <= 3 * every; cycle++) {
      let keyframes = 0;
      for (const t of targets) {
        const r = writer.appendProfile({ target: t, startedAt: cycle * MIN, durationMs: 5, body, profile: profile(cycle, cycle * 10) });
        if (r.keyframe) {
          keyframes++;
          if (cycle > 1) assert.ok(cycle - last.get(t.key)! <= every, 'a keyframe at least every keyframe_every scrapes');
          last.set(t.key, cycle);
        }
        const sum = [...reader.functionStateAt(r.epochId, r.scrapeId).values()].reduce((s, [b]) => s + b, 0);
        assert.equal(sum, cycle * 1e6 + 5e6);
      }
      perCycle.push(keyframes);
    }
    assert.equal(perCycle[0], 60, 'every epoch starts with a keyframe');
    // Aligned, all 60 would keyframe in the same cycle; spread, about 60/6 = 10 a cycle.
    assert.ok(Math.max(...perCycle.slice(1)) <= 25, `keyframes per cycle after the first: ${perCycle.slice(1).join(' ')}`);
    assert.ok(new Set(targets.map((t) => keyframePhase(t.key, every))).size === every, 'every phase is used');
  });

  it('postpones a periodic keyframe while the row budget is spent, by at most keyframe_every scrapes', () => {
    // A budget that the first keyframe overdraws and that never refills in this test.
    const { writer, reader } = setup(3, { keyframeRowsPerSecond: 1e-9 });
    const results = [];
    for (let i = 1; i <= 14; i++) results.push(writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i, i * 10) }));
    assert.deepEqual(results.flatMap((r, i) => (r.keyframe ? [i + 1] : [])), [1, 7, 13]);
    for (const [i, r] of results.entries()) {
      const sum = [...reader.functionStateAt(r.epochId, r.scrapeId).values()].reduce((s, [b]) => s + b, 0);
      assert.equal(sum, (i + 1) * 1e6 + 5e6);
    }
  });

  it('records an identical profile as stale (no GC since the last scrape) and stores no values for it', () => {
    const { writer, reader, db } = setup();
    writer.appendProfile({ target, startedAt: MIN, durationMs: 5, body, profile: profile(1, 10) });
    const r = writer.appendProfile({ target, startedAt: 2 * MIN, durationMs: 5, body, profile: profile(1, 10) });
    assert.equal(r.transition, 'stale');
    assert.equal(storedFunctionValues(db, r.scrapeId).size, 0);
    assert.equal(reader.scrapes(r.targetId).at(-1)!.outcome, 'stale');
  });

  it('starts a new epoch with a keyframe when alloc counters go down (restart)', () => {
    const { writer, reader, db } = setup(100);
    writer.appendProfile({ target, startedAt: MIN, durationMs: 5, body, profile: profile(50, 1000) });
    const r = writer.appendProfile({ target, startedAt: 2 * MIN, durationMs: 5, body, profile: profile(1, 5) });
    assert.equal(r.transition, 'restart');
    assert.equal(r.keyframe, true);
    for (const [, [bytes]] of storedFunctionValues(db, r.scrapeId)) assert.ok(bytes > 0, 'a keyframe, not a negative delta');
    assert.equal(reader.currentEpoch(r.targetId)!.id, r.epochId);
  });

  it('continues the open epoch after a daemon restart, with a keyframe', () => {
    const { writer, db } = setup(100);
    const a = writer.appendProfile({ target, startedAt: MIN, durationMs: 5, body, profile: profile(1, 10) });
    const again = new StoreWriter(db, { keyframeEvery: 100, keepLatestProfiles: 2 });
    const b = again.appendProfile({ target, startedAt: 2 * MIN, durationMs: 5, body, profile: profile(2, 20) });
    assert.deepEqual([b.transition, b.epochId, b.keyframe], ['same_epoch', a.epochId, true]);
  });

  it('retention deletes old scrapes and keeps the rest rebuildable', async () => {
    const { writer, reader, db } = setup(3);
    const results = [];
    for (let i = 1; i <= 10; i++) results.push(writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i, i * 10) }));
    const r = await pruneOlderThan(db, 5.5 * MIN);
    // The last keyframe at or before the cutoff is scrape 4 (keyframes 1, 4, 7, 10): 1-3 go.
    assert.equal(r.scrapesDeleted, 3);
    for (const x of results.slice(3)) {
      const sum = [...reader.functionStateAt(x.epochId, x.scrapeId).values()].reduce((s, [b]) => s + b, 0);
      assert.equal(sum, reader.scrapes(x.targetId).find((s) => s.id === x.scrapeId)!.inuseBytes);
    }
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  });

  it('downsampling keeps one scrape per step and every kept scrape rebuilds exactly', async () => {
    const { writer, reader, db } = setup(10);
    const results: ReturnType<StoreWriter['appendProfile']>[] = [];
    for (let i = 0; i < 40; i++) results.push(writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i + 1, (i + 1) * 10, (i % 3) * 1e5) }));
    const expected = new Map(results.map((r) => [r.scrapeId, reader.functionStateAt(r.epochId, r.scrapeId)]));
    const d = await downsample(db, 30 * MIN, 5 * MIN);
    const kept = reader.scrapes(results[0]!.targetId).map((s) => s.id);
    // Before minute 30: one per 5-minute step, plus keyframes (0, 10, 20); after: everything.
    assert.equal(d.scrapesDropped, 24);
    assert.deepEqual(kept.filter((id) => id <= results[29]!.scrapeId).length, 6);
    for (const id of kept) assert.deepEqual(reader.functionStateAt(results[0]!.epochId, id), expected.get(id), `scrape ${id}`);
    assert.equal((await downsample(db, 30 * MIN, 5 * MIN)).scrapesDropped, 0, 'idempotent');
  });

  it('keeps raw profiles: the first of each process, the first of each hour and the latest N', () => {
    const { writer, reader } = setup(100);
    let r = writer.appendProfile({ target, startedAt: 0, durationMs: 5, body, profile: profile(1, 10) });
    for (let i = 1; i < 150; i++) r = writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i + 1, (i + 1) * 10) });
    const rows = reader.profiles(r.targetId, 1000);
    assert.equal(rows.filter((p) => p.epochStart).length, 1);
    assert.deepEqual(rows.filter((p) => p.hourly).map((p) => p.ts).sort((a, b) => a - b), [0, 60 * MIN, 120 * MIN]);
    const latest = rows.filter((p) => !p.epochStart && !p.hourly);
    // Pruning is amortised: between the kept N (2) and N + 10.
    assert.ok(latest.length >= 2 && latest.length <= 12, `${latest.length} latest profiles`);
    assert.equal(latest[0]!.ts, 149 * MIN);
  });

  it('resolves open findings of targets no longer scraped', () => {
    const { writer, db } = setup();
    const r = writer.appendProfile({ target, startedAt: MIN, durationMs: 5, body, profile: profile(1, 10) });
    const store = new FindingStore(db);
    const finding = {
      key: 'k',
      epoch: String(r.epochId),
      classId: 'unclassified-growth' as const,
      severity: 'warning' as const,
      title: 't',
      function: 'main.leak',
      headline: 'h',
      stack: ['main.leak'],
      growthBytes: 1,
      bytesPerHour: 1,
      detectedAt: MIN,
      lastSeenAt: MIN,
      state: 'open' as const,
      resolvedAt: null,
      resolvedReason: null,
      evidence: { versions: {}, matchedFrames: [], stacks: 1 },
      summary: 's',
      remediation: 'r',
      docUrl: 'u',
    };
    store.save(r.targetId, finding);
    assert.equal(store.resolveOpenExcept([r.targetId], 2 * MIN, 'gone'), 0);
    assert.equal(store.resolveOpenExcept([], 2 * MIN, 'gone'), 1);
    assert.equal(store.list('open').length, 0);
    assert.equal(store.list('resolved')[0]!.resolvedReason, 'gone');
  });

  it("keeps a target's detection carry for its current process and the one before, not older ones", () => {
    const { writer, db } = setup();
    const carry = new CarryStore(db);
    // Alloc counters going down start a new process: epochs 1, 2 and 3.
    const epochs = [100, 10, 1].map((alloc, i) => writer.appendProfile({ target, startedAt: (i + 1) * MIN, durationMs: 5, body, profile: profile(1, alloc) }).epochId);
    const [first, second, third] = epochs as [number, number, number];
    const { targetId } = writer.appendProfile({ target, startedAt: 4 * MIN, durationMs: 5, body, profile: profile(1, 2) });
    const carried = new Map([['unclassified-growth|main.leak', { processes: 2, endAges: [44, 44] }]]);
    carry.save(targetId, { epoch: String(second), buildId: 'b1', carried });
    // Into the current process, and into the one before it (the daemon was down when the current one started).
    assert.deepEqual(carry.carryOf(targetId, second), { epoch: String(second), buildId: 'b1', carried });
    assert.deepEqual(carry.carryOf(targetId, third)?.carried, carried);
    // A carry older than that skipped a process nothing judged: its chain is no longer consecutive.
    carry.save(targetId, { epoch: String(first), buildId: 'b1', carried });
    assert.equal(carry.carryOf(targetId, third), undefined);
    // A damaged row is no carry (and no exception that would stop the target's detection).
    for (const bad of ['{not json', '[1]', '{"k": {"processes": "2", "endAges": []}}', '{"k": {"processes": 2, "endAges": ["x"]}}']) {
      db.prepare('UPDATE detector_carry SET epoch_id = ?, carried = ? WHERE target_id = ?').run(third, bad, targetId);
      assert.equal(carry.carryOf(targetId, third), undefined, bad);
    }
  });
});
