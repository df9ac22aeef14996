import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { decodeHeapProfile } from '../pprof/decode.js';
import { unpackStacks } from '../../test/helpers/stacks.js';
import { PROFILES } from '../../test/helpers/paths.js';
import { withoutAllocSampleTypes } from './delta.js';

const LIMITS = { maxDecompressedBytes: 64 << 20 };

describe('withoutAllocSampleTypes (godeltaprof pushes)', () => {
  const original = readFileSync(`${PROFILES}grower.pb.gz`);
  const before = decodeHeapProfile(original, LIMITS);

  it('removes alloc_space and alloc_objects and keeps inuse values, per function, exactly', async () => {
    const stripped = await withoutAllocSampleTypes(original, LIMITS.maxDecompressedBytes);
    const after = decodeHeapProfile(stripped, LIMITS);
    assert.deepEqual(before.sampleTypes.map((t) => t.type), ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
    assert.deepEqual(after.sampleTypes.map((t) => t.type), ['inuse_objects', 'inuse_space']);
    assert.deepEqual(after.totals, before.totals.slice(2));
    const stacks = (p: typeof before, from: number): string[] =>
      unpackStacks(p)
        .map((s) => `${s.frames.map((f) => p.functions[f]!.name).join(';')} ${s.values.slice(from).join(',')}`)
        .sort();
    assert.deepEqual(stacks(after, 0), stacks(before, 2));
    assert.equal(after.buildId, before.buildId);
    // Stored raw profiles stay gzip, for go tool pprof.
    assert.deepEqual([...stripped.subarray(0, 2)], [0x1f, 0x8b]);
  });

  it('returns a profile without alloc types unchanged, and takes it uncompressed too', async () => {
    const once = await withoutAllocSampleTypes(original, LIMITS.maxDecompressedBytes);
    assert.equal(await withoutAllocSampleTypes(once, LIMITS.maxDecompressedBytes), once);
    const raw = gunzipSync(original);
    const fromRaw = decodeHeapProfile(await withoutAllocSampleTypes(raw, LIMITS.maxDecompressedBytes), LIMITS);
    assert.deepEqual(fromRaw.totals, before.totals.slice(2));
  });

  it('refuses a profile inflating past the limit, a broken gzip and a truncated protobuf, each with its code', async () => {
    const code = async (body: Uint8Array, max = LIMITS.maxDecompressedBytes): Promise<string> => {
      try {
        await withoutAllocSampleTypes(body, max);
        return 'accepted';
      } catch (err) {
        assert.ok(err instanceof HeapwatchError, String(err));
        return err.code;
      }
    };
    assert.equal(await code(original, 1000), 'HW_ERR_DECOMPRESSED_TOO_LARGE');
    assert.equal(await code(original.subarray(0, original.length - 40)), 'HW_ERR_PROFILE_GZIP');
    const raw = gunzipSync(original);
    assert.equal(await code(raw.subarray(0, Math.floor(raw.length / 2))), 'HW_ERR_PROFILE_MALFORMED');
  });
});
