/**
 * Horizontal sharding: each replica keeps the targets assigned to its index,
 * so every target is scraped by exactly one replica. Like Prometheus's
 * hashmod, the assignment is a stable hash of the target's identity; unlike a
 * plain modulo, it uses jump consistent hashing (Lamping & Veach, 2014), so
 * growing from N to N+1 shards moves only the ~1/(N+1) of targets that must
 * move to fill the new shard, and no target moves between old shards.
 */
import { stableHash } from './hash.js';
import type { Target } from './target.js';

/** This replica's share of the targets: shard `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

const MASK64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;

/** Jump consistent hash: a bucket in [0, buckets) for a 64-bit key. */
export function jumpHash(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  let k = key & MASK64;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK64;
    j = Math.floor(((b + 1) * 2 ** 31) / Number((k >> 33n) + 1n));
  }
  return b;
}

export function shardOf(targetKey: string, count: number): number {
  return jumpHash(stableHash(targetKey), count);
}

export function ownedBy(targets: readonly Target[], shard: Shard): Target[] {
  if (shard.count <= 1) return [...targets];
  return targets.filter((t) => shardOf(t.key, shard.count) === shard.index);
}
