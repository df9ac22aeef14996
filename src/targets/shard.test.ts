import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { HeapwatchError } from '../errors.js';
import { withEnvironment } from '../config/environment.js';
import { buildTarget } from './build.js';
import { jumpHash, ownedBy, shardOf } from './shard.js';
import type { Target } from './target.js';

const config = parseConfig('shard: { index: 1, count: 3 }\n', 'test.yml');
const targets: Target[] = Array.from({ length: 3_000 }, (_, i) =>
  buildTarget(`http://10.${i >> 8}.${i & 255}.7:6060/debug/pprof/heap`, {}, {}, config.global, 'static'),
);
const keys = targets.map((t) => t.key);

/**
 * The reference C++ implementation (Lamping & Veach 2014, figure 1) written
 * out independently: 64-bit wrap-around via BigInt, and the same double
 * arithmetic in the same order as the C++ (divide first, then multiply).
 */
function referenceJump(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  let k = BigInt.asUintN(64, key);
  while (j < BigInt(buckets)) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = BigInt(Math.trunc(Number(b + 1n) * (2 ** 31 / Number((k >> 33n) + 1n))));
  }
  return Number(b);
}

describe('jumpHash', () => {
  it('matches outputs of the reference C++ implementation', () => {
    // From github.com/dgryski/go-jump jump_test.go ("Generated from the
    // reference C++ code"): bucket for numBuckets = 1, 2, 3, ...
    const vectors: [bigint, number[]][] = [
      [0n, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
      [1n, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
      [0xdeadbeefn, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
      [0x0ddc0ffeebadf00dn, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
    ];
    for (const [key, buckets] of vectors) {
      buckets.forEach((want, i) => assert.equal(jumpHash(key, i + 1), want, `jumpHash(${key}, ${i + 1})`));
    }
    // From github.com/lithammer/go-jump-consistent-hash jump_test.go.
    assert.equal(jumpHash(42n, 57), 43);
    assert.equal(jumpHash(0xdead10ccn, 666), 361);
    assert.equal(jumpHash(256n, 1024), 520);
  });

  it('agrees with an independent implementation on 10,000 keys x 1..100 buckets', () => {
    for (let i = 0; i < 10_000; i++) {
      // Spread the keys over all 64 bits, top bits included.
      const key = BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n);
      for (let n = 1; n <= 100; n++) {
        const got = jumpHash(key, n);
        if (got !== referenceJump(key, n)) assert.fail(`jumpHash(${key}, ${n}) = ${got}, reference ${referenceJump(key, n)}`);
      }
    }
  });
});

describe('shardOf / ownedBy', () => {
  it('is the jump hash of the first 8 bytes of SHA-256(key), stable across calls', () => {
    for (const key of keys.slice(0, 200)) {
      const h = createHash('sha256').update(key).digest().readBigUInt64BE(0);
      assert.equal(shardOf(key, 7), referenceJump(h, 7));
      assert.equal(shardOf(key, 7), shardOf(key, 7));
    }
  });

  it('partitions the targets: each is owned by exactly one of 3 shards, and the shards are balanced', () => {
    const shards = [0, 1, 2].map((index) => ownedBy(targets, { index, count: 3 }).map((t) => t.key));
    const owners = new Map<string, number>();
    shards.forEach((owned, index) => {
      for (const key of owned) {
        assert.equal(owners.get(key), undefined, `${key} owned by shards ${owners.get(key)} and ${index}`);
        owners.set(key, index);
      }
    });
    assert.equal(owners.size, keys.length, 'the union is every target');
    // Binomial sd is ~26 around 1,000; +-100 is ~4 sd (and the keys are fixed, so this never flakes).
    for (const owned of shards) assert.ok(Math.abs(owned.length - 1_000) <= 100, `shard sizes ${shards.map((s) => s.length).join(', ')}`);
  });

  it('3 -> 4 shards: only targets that land on the new shard move, about 1/4 of them', () => {
    let moved = 0;
    for (const key of keys) {
      const from = shardOf(key, 3);
      const to = shardOf(key, 4);
      if (from !== to) {
        assert.equal(to, 3, `${key} moved between old shards ${from} -> ${to}`);
        moved++;
      }
    }
    assert.ok(Math.abs(moved / keys.length - 0.25) <= 0.035, `moved ${moved} of ${keys.length}`);
  });

  it('4 -> 3 shards: only the removed shard\'s targets move', () => {
    let moved = 0;
    for (const key of keys) {
      const from = shardOf(key, 4);
      const to = shardOf(key, 3);
      if (from === 3) moved++;
      else assert.equal(to, from, `${key} moved from surviving shard ${from} to ${to}`);
    }
    assert.equal(moved, ownedBy(targets, { index: 3, count: 4 }).length);
  });

  it('one shard owns everything', () => {
    assert.deepEqual(ownedBy(targets, { index: 0, count: 1 }), targets);
  });
});

describe('withEnvironment', () => {
  it('returns the config unchanged without HEAPWATCH_SHARD_* variables', () => {
    assert.equal(withEnvironment(config, {}), config);
    assert.deepEqual(config.shard, { index: 1, count: 3 });
  });

  it('HEAPWATCH_SHARD_INDEX / _COUNT override the file; one alone keeps the other from the file', () => {
    assert.deepEqual(withEnvironment(config, { HEAPWATCH_SHARD_INDEX: '3', HEAPWATCH_SHARD_COUNT: '4' }).shard, { index: 3, count: 4 });
    assert.deepEqual(withEnvironment(config, { HEAPWATCH_SHARD_INDEX: '2' }).shard, { index: 2, count: 3 });
    assert.deepEqual(withEnvironment(config, { HEAPWATCH_SHARD_COUNT: '5' }).shard, { index: 1, count: 5 });
    const overridden = withEnvironment(config, { HEAPWATCH_SHARD_INDEX: '0' });
    assert.equal(overridden.storage, config.storage, 'everything else is the same config');
    assert.deepEqual(config.shard, { index: 1, count: 3 }, 'the original is not mutated');
  });

  const invalid: Record<string, string>[] = [
    { HEAPWATCH_SHARD_INDEX: 'abc' },
    { HEAPWATCH_SHARD_INDEX: '-1' },
    { HEAPWATCH_SHARD_INDEX: '1.5' },
    { HEAPWATCH_SHARD_INDEX: '3' }, // count is 3 from the file
    { HEAPWATCH_SHARD_COUNT: '0' },
    { HEAPWATCH_SHARD_COUNT: '1' }, // index 1 from the file no longer fits
    { HEAPWATCH_SHARD_INDEX: '4', HEAPWATCH_SHARD_COUNT: '4' },
  ];
  for (const env of invalid) {
    it(`rejects ${JSON.stringify(env)} with HW_ERR_CONFIG_INVALID`, () => {
      assert.throws(() => withEnvironment(config, env), (err) => err instanceof HeapwatchError && err.code === 'HW_ERR_CONFIG_INVALID' && /HEAPWATCH_SHARD_INDEX/.test(err.message));
    });
  }

  // Number('') is 0, so an empty variable (e.g. a failed `${HOSTNAME##*-}`
  // substitution) would silently mean shard 0 for every such replica.
  it('rejects an empty HEAPWATCH_SHARD_INDEX', () => {
    assert.throws(() => withEnvironment(config, { HEAPWATCH_SHARD_INDEX: '', HEAPWATCH_SHARD_COUNT: '3' }), HeapwatchError);
  });
});
