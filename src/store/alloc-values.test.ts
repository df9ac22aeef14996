/**
 * alloc_space deltas stored next to inuse (migration 004): the detection
 * history a daemon restores after a restart carries what each stack
 * allocated between points, across keyframes and after downsampling.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeapProfile } from '../pprof/decode.js';
import type { Target } from '../targets/target.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { openDatabase } from './db.js';
import { downsample } from './downsample.js';
import { StoreReader } from './reader.js';
import { StoreWriter } from './writer.js';

const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const MIN = 60_000;
const body = new Uint8Array([0x1f, 0x8b]);

/** `main.leak` holds i MB and has allocated i * 3 MB since start; `main.steady` holds 5 MB and allocated i MB. */
function profile(i: number): ReturnType<typeof decodeHeapProfile> {
  return decodeHeapProfile(
    syntheticHeapProfile([
      { stack: [['main.leak'], ['main.run']], values: [i * 3, i * 3e6, i, i * 1e6] },
      { stack: [['main.steady'], ['main.run']], values: [i, i * 1e6, 5, 5e6] },
    ]),
    { maxDecompressedBytes: 1 << 24 },
  );
}

function store(points: number) {
  const db = openDatabase(':memory:');
  const writer = new StoreWriter(db, { keyframeEvery: 4, keepLatestProfiles: 2 });
  const results = [];
  for (let i = 1; i <= points; i++) results.push(writer.appendProfile({ target, startedAt: i * MIN, durationMs: 5, body, profile: profile(i) }));
  return { db, reader: new StoreReader(db), last: results.at(-1)! };
}

function allocDeltas(reader: StoreReader, epochId: number, before: number): Map<string, number[]> {
  const h = reader.stackHistory(epochId, 0, before);
  const out = new Map<string, number[]>();
  for (const p of h.points) {
    for (const [id, [, , a]] of p.stacks) {
      const name = h.frames.get(id)![0]!;
      out.set(name, [...(out.get(name) ?? []), a]);
    }
  }
  return out;
}

describe('stored allocation deltas', () => {
  it("restore each stack's allocation between points, across keyframes", () => {
    const { reader, last } = store(10);
    const d = allocDeltas(reader, last.epochId, last.scrapeId + 1);
    // The first point has no previous one: 0; then 3 MB per minute for the
    // growing stack, whose inuse changes every scrape.
    assert.deepEqual(d.get('main.leak'), [0, ...Array<number>(9).fill(3e6)]);
    // A flat stack's rows are written at keyframes only (every 4th scrape):
    // its allocation arrives there, in full.
    assert.deepEqual(d.get('main.steady'), [0, 0, 0, 0, 4e6, 0, 0, 0, 4e6, 0]);
  });

  it('downsampling folds the allocation of dropped scrapes into the next kept one', async () => {
    const { db, reader, last } = store(10);
    const r = await downsample(db, 100 * MIN, 3 * MIN);
    assert.ok(r.scrapesDropped > 0);
    const h = reader.stackHistory(last.epochId, 0, last.scrapeId + 1);
    let points = 0;
    let total = 0;
    for (const p of h.points) {
      points++;
      for (const [id, [, , a]] of p.stacks) if (h.frames.get(id)![0] === 'main.leak') total += a;
    }
    assert.ok(points < 10);
    // Everything allocated from the first kept scrape (minute i: i * 3 MB so far) to the last (30 MB) is accounted for.
    const first = reader.scrapes(last.targetId).find((s) => s.outcome === 'ok')!;
    assert.equal(total, 30e6 - (first.ts / MIN) * 3e6);
  });
});
