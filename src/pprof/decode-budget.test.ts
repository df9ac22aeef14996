/**
 * The decode memory budget: sizes are counted while inflating as a stream
 * (a gzip bomb is refused at the limit without being held), and decodes in
 * flight never reserve more than the budget together; the rest queue.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { hugeHeapProfile } from '../../test/helpers/huge-profile.js';
import { PROFILES } from '../../test/helpers/paths.js';
import { decodeHeapProfile } from './decode.js';
import { ByteBudget, inflatedSize } from './decode-budget.js';
import { createDecoderPool } from '../pipeline/decoder-pool.js';
import { decodeHeapProfileFast } from './fast-decode.js';

const GOOD = readFileSync(`${PROFILES}large.pb.gz`);

describe('inflatedSize', () => {
  it('counts what a profile inflates to', async () => {
    assert.equal(await inflatedSize(GOOD, 1 << 30), gunzipSync(GOOD).length);
    const raw = gunzipSync(GOOD);
    assert.equal(await inflatedSize(raw, 1 << 30), raw.length);
  });

  it('refuses a gzip bomb at the limit without holding its output', async () => {
    const bomb = gzipSync(Buffer.alloc(512 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    await assert.rejects(inflatedSize(bomb, 64 * 1024 * 1024), { code: 'HW_ERR_DECOMPRESSED_TOO_LARGE' });
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 32 * 1024 * 1024, `RSS grew ${grown} bytes while refusing a 512 MiB bomb at 64 MiB`);
  });

  it('leaves broken gzip to the decoder, which names it', async () => {
    const truncated = GOOD.subarray(0, GOOD.length >> 1);
    const n = await inflatedSize(truncated, 1 << 30);
    assert.ok(n > 0 && n < gunzipSync(GOOD).length);
  });
});

describe('ByteBudget', () => {
  it('never grants more than its capacity at once, and grants in arrival order', async () => {
    const budget = new ByteBudget(100);
    const order: number[] = [];
    let peak = 0;
    const job = async (id: number, bytes: number, ms: number): Promise<void> => {
      const got = await budget.acquire(bytes);
      order.push(id);
      peak = Math.max(peak, budget.used);
      await new Promise((r) => setTimeout(r, ms));
      budget.release(got);
    };
    await Promise.all([job(1, 60, 30), job(2, 60, 10), job(3, 30, 10), job(4, 100, 5), job(5, 10, 5)]);
    assert.ok(peak <= 100, `peak ${peak}`);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(budget.used, 0);
    assert.equal(budget.waiting, 0);
  });

  it('clamps a request larger than the budget instead of waiting forever', async () => {
    const budget = new ByteBudget(10);
    assert.equal(await budget.acquire(50), 10);
  });
});

describe('decoder pool under a budget', () => {
  it('decodes many profiles at once with a budget of one profile: they queue, none fails', async () => {
    const size = gunzipSync(GOOD).length;
    const pool = createDecoderPool({ threads: 2, budgetBytes: size });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => pool.decode(GOOD, { maxDecompressedBytes: size })));
      for (const p of results) assert.equal(p.functions.length, results[0]!.functions.length);
    } finally {
      await pool.close();
    }
  });
});

describe('per-profile limits', () => {
  const profile = hugeHeapProfile({ functions: 3000, depth: 2 });
  const base = { maxDecompressedBytes: 1 << 26 };
  for (const decode of [decodeHeapProfileFast, decodeHeapProfile]) {
    it(`${decode.name}: refuses each limit with its own code, and accepts at the limit`, () => {
      assert.throws(() => decode(profile, { ...base, maxFunctions: 2999 }), { code: 'HW_ERR_PROFILE_TOO_MANY_FUNCTIONS' });
      assert.throws(() => decode(profile, { ...base, maxLocations: 2999 }), { code: 'HW_ERR_PROFILE_TOO_MANY_LOCATIONS' });
      assert.throws(() => decode(profile, { ...base, maxSamples: 2999 }), { code: 'HW_ERR_PROFILE_TOO_MANY_SAMPLES' });
      const ok = decode(profile, { ...base, maxFunctions: 3000, maxLocations: 3000, maxSamples: 3000 });
      assert.equal(ok.functions.length, 3000);
    });
  }
});
