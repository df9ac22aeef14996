/**
 * The writer's per-target value tables against a Map-based reference on
 * seeded random data: sorting and summing equal ids, the delta merge (changed,
 * added and removed ids), and the epoch function-id union.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/helpers/random.js';
import { forEachChange, mergeIds, ValueTableBuilder, type ValueTable } from './value-table.js';

type Ref = Map<number, [number, number]>;

function randomEntries(rand: () => number, n: number, maxId: number): [number, number, number][] {
  return Array.from({ length: n }, () => [Math.floor(rand() * maxId), Math.floor(rand() * 1e6), Math.floor(rand() * 100)]);
}

function reference(entries: [number, number, number][]): Ref {
  const m: Ref = new Map();
  for (const [id, b, o] of entries) {
    const p = m.get(id) ?? [0, 0];
    m.set(id, [p[0] + b, p[1] + o]);
  }
  return m;
}

function asMap(t: ValueTable): Ref {
  return new Map(Array.from(t.ids, (id, i) => [id, [t.bytes[i]!, t.objects[i]!]]));
}

describe('value tables', () => {
  it('builds sorted tables with equal ids summed, reusing one builder across scrapes', () => {
    const rand = seededRandom(17);
    const builder = new ValueTableBuilder();
    for (let round = 0; round < 20; round++) {
      const entries = randomEntries(rand, 1 + Math.floor(rand() * 5000), 1 + Math.floor(rand() * 8000));
      for (const [id, b, o] of entries) builder.add(id, b, o);
      const t = builder.build();
      for (let i = 1; i < t.ids.length; i++) assert.ok(t.ids[i - 1]! < t.ids[i]!, 'strictly increasing ids');
      assert.deepEqual(asMap(t), reference(entries));
    }
    builder.add(3, 1, 1);
    builder.clear();
    assert.equal(builder.build().ids.length, 0, 'clear drops what a failed scrape added');
  });

  it('emits exactly the changes between two tables: changed, new, and removed ids as negatives', () => {
    const rand = seededRandom(23);
    const builder = new ValueTableBuilder();
    for (let round = 0; round < 50; round++) {
      const build = (entries: [number, number, number][]): ValueTable => {
        for (const [id, b, o] of entries) builder.add(id, b, o);
        return builder.build();
      };
      const prevEntries = randomEntries(rand, Math.floor(rand() * 300), 400);
      // The next scrape keeps some entries unchanged, changes some, drops some and adds some.
      const nowEntries = prevEntries.filter(() => rand() < 0.8).map(([id, b, o]): [number, number, number] => (rand() < 0.5 ? [id, b, o] : [id, b + 1, o]));
      nowEntries.push(...randomEntries(rand, Math.floor(rand() * 50), 600));
      const prev = build(prevEntries);
      const now = build(nowEntries);
      const emitted: Ref = new Map();
      const n = forEachChange(now, prev, (id, b, o) => {
        assert.ok(!emitted.has(id), 'each id at most once');
        emitted.set(id, [b, o]);
      });
      assert.equal(n, emitted.size);
      // prev + emitted deltas == now, and nothing unchanged is emitted.
      const rebuilt = asMap(prev);
      for (const [id, [b, o]] of emitted) {
        assert.ok(b !== 0 || o !== 0, 'no zero delta');
        const p = rebuilt.get(id) ?? [0, 0];
        const v: [number, number] = [p[0] + b, p[1] + o];
        if (v[0] === 0 && v[1] === 0 && !now.ids.includes(id)) rebuilt.delete(id);
        else rebuilt.set(id, v);
      }
      assert.deepEqual(rebuilt, asMap(now));
      const keyframe: number[] = [];
      assert.equal(forEachChange(now, undefined, (id) => keyframe.push(id)), now.ids.length);
      assert.deepEqual(keyframe, Array.from(now.ids), 'a keyframe writes every entry');
    }
  });

  it('writes alloc deltas only with inuse changes, and their sums still rebuild the alloc counters', () => {
    // Three scrapes of one id: allocation grows every time, inuse changes only
    // in the third. The second writes nothing; the third's alloc delta covers
    // both scrapes, so keyframe + deltas equals the absolute counter.
    const builder = new ValueTableBuilder();
    const scrapes = [
      { b: 100, ab: 1_000 },
      { b: 100, ab: 1_500 },
      { b: 160, ab: 2_300 },
    ];
    let prev: ValueTable | undefined;
    const rows: [number, number][] = [];
    for (const { b, ab } of scrapes) {
      builder.add(7, b, 1, ab, ab / 10);
      const now = builder.build();
      forEachChange(now, prev, (_id, db, _do, dab) => rows.push([db, dab]));
      prev = now;
    }
    assert.deepEqual(rows, [
      [100, 1_000],
      [60, 1_300],
    ]);
    assert.equal(rows.reduce((sum, r) => sum + r[1], 0), 2_300);
  });

  it('merges epoch function ids: reports only new ones, keeps the union sorted', () => {
    let seen: Uint32Array = new Uint32Array(0);
    const r1 = mergeIds(seen, Uint32Array.of(2, 5, 9));
    assert.deepEqual(r1.added, [2, 5, 9]);
    seen = r1.union;
    const r2 = mergeIds(seen, Uint32Array.of(1, 5, 7, 9, 12));
    assert.deepEqual(r2.added, [1, 7, 12]);
    assert.deepEqual(Array.from(r2.union), [1, 2, 5, 7, 9, 12]);
    const r3 = mergeIds(r2.union, Uint32Array.of(2, 12));
    assert.deepEqual(r3.added, []);
    assert.equal(r3.union, r2.union, 'nothing new: the same array, no copy');
  });
});
