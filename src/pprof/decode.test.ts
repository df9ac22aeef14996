import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { FIXTURES, PROFILES } from '../../test/helpers/paths.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { functionValues } from './aggregate.js';
import { decodeHeapProfile } from './decode.js';
import { forEachInuseStack, LARGE_OBJECT_BYTES, stackCount } from './profile.js';

const limits = { maxDecompressedBytes: 64 * 1024 * 1024 };

function rejects(bytes: Uint8Array, code: string, l = limits): void {
  assert.throws(
    () => decodeHeapProfile(bytes, l),
    (err: unknown) => err instanceof HeapwatchError && err.code === code,
  );
}

describe('decodeHeapProfile', () => {
  it('decodes a real Go heap profile with all four sample types', () => {
    const p = decodeHeapProfile(readFileSync(`${PROFILES}parity-trimpath.pb.gz`), limits);
    assert.deepEqual(p.sampleTypes.map((t) => t.type), ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
    assert.ok(p.totals[3]! > 0 && p.totals[1]! >= p.totals[3]!);
    assert.ok(p.timeMs > 1.7e12);
    assert.match(p.buildId, /^[0-9a-f]+$/);
    assert.ok(p.modules.some((m) => m.path === 'example.com/localdep' && m.version === 'v1.2.3'), JSON.stringify(p.modules));
  });

  it('keeps the inuse of large objects per stack apart, from the samples of each object size', () => {
    // netpoll's read buffers on a server sent 1-8 MiB requests: one Go
    // record (sample) per stack and object size, the size in its bytes label.
    const bytes = readFileSync(`${FIXTURES}corpus/leak-oversized-requests-5min/profiles/0035.pb.gz`);
    const raw = Profile.decode(gunzipSync(bytes));
    const str = (i: number | bigint) => raw.stringTable.strings[Number(i)]!;
    let expectedBytes = 0;
    let expectedObjects = 0;
    let smallBytes = 0;
    for (const s of raw.sample) {
      const size = Number(s.label.find((l) => str(l.key) === 'bytes')?.num ?? 0);
      if (size >= LARGE_OBJECT_BYTES) {
        expectedBytes += Number(s.value[3]);
        expectedObjects += Number(s.value[2]);
      } else smallBytes += Number(s.value[3]);
    }
    assert.ok(expectedObjects > 0 && smallBytes > 0);
    const p = decodeHeapProfile(bytes, limits);
    assert.equal(p.stacks.large!.length, 2 * stackCount(p));
    let largeBytes = 0;
    let largeObjects = 0;
    let mixed = 0;
    forEachInuseStack(p, (_f, b, o, _ab, _ao, lb, lo) => {
      largeBytes += lb;
      largeObjects += lo;
      if (lb > 0 && lb < b) mixed++;
    });
    assert.equal(largeBytes, expectedBytes);
    assert.equal(largeObjects, expectedObjects);
    // Some stack holds both sizes: merged, its mean would hide the large ones.
    assert.ok(mixed > 0, 'a stack with large and small objects');
  });

  it('keeps values of 2^28 and more exact (pprof-format returns bigints)', () => {
    const big = 3n * 2n ** 40n + 7n;
    const p = decodeHeapProfile(syntheticHeapProfile([{ stack: [['main.f']], values: [1, big, 1, 2 ** 29] }]), limits);
    assert.deepEqual(p.totals, [1, Number(big), 1, 2 ** 29]);
  });

  it('normalises negative int64 values (Go delta profiles)', () => {
    const neg = BigInt.asUintN(64, -4096n);
    const p = decodeHeapProfile(syntheticHeapProfile([{ stack: [['main.f']], values: [0, 0, -1, neg] }]), limits);
    assert.deepEqual(p.totals, [0, 0, -1, -4096]);
  });

  it('expands inlined frames innermost first and counts recursion once in cum', () => {
    const bytes = syntheticHeapProfile([
      // main.leaf inlined into main.mid; main.rec recursive.
      { stack: [['main.leaf', 'main.mid'], ['main.rec'], ['main.rec'], ['main.main']], values: [1, 100, 1, 100] },
      { stack: [['main.rec'], ['main.rec'], ['main.main']], values: [1, 10, 1, 10] },
    ]);
    const p = decodeHeapProfile(bytes, limits);
    const byName = new Map(functionValues(p, 3).map((f) => [f.name, f]));
    assert.deepEqual(byName.get('main.leaf'), { name: 'main.leaf', flat: 100, cum: 100 });
    assert.deepEqual(byName.get('main.mid'), { name: 'main.mid', flat: 0, cum: 100 });
    assert.deepEqual(byName.get('main.rec'), { name: 'main.rec', flat: 10, cum: 110 });
    assert.deepEqual(byName.get('main.main'), { name: 'main.main', flat: 0, cum: 110 });
  });

  it('merges generic instantiations under one name', () => {
    const p = decodeHeapProfile(
      syntheticHeapProfile([
        { stack: [['main.Map[go.shape.int].Put']], values: [1, 8, 1, 8] },
        { stack: [['main.Map[go.shape.string].Put']], values: [1, 16, 1, 16] },
      ]),
      limits,
    );
    assert.deepEqual(functionValues(p, 3), [{ name: 'main.Map.Put', flat: 24, cum: 24 }]);
  });

  it('rejects a truncated profile, gzipped or not', () => {
    const gz = readFileSync(`${PROFILES}parity-trimpath.pb.gz`);
    rejects(gz.subarray(0, gz.length / 2), 'HW_ERR_PROFILE_GZIP');
    const raw = gunzipSync(gz);
    rejects(raw.subarray(0, Math.floor(raw.length * 0.6)), 'HW_ERR_PROFILE_MALFORMED');
  });

  it('rejects garbage bytes with a code', () => {
    rejects(Buffer.from([0x08, 0x96, 0x01, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad]), 'HW_ERR_PROFILE_MALFORMED');
  });

  it('rejects an HTML page served where a profile was expected', () => {
    rejects(Buffer.from('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'), 'HW_ERR_NOT_PPROF');
  });

  it('rejects a gzip bomb with bounded memory', () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
    assert.ok(bomb.length < 300 * 1024);
    rejects(bomb, 'HW_ERR_DECOMPRESSED_TOO_LARGE', { maxDecompressedBytes: 16 * 1024 * 1024 });
  });

  it('rejects a CPU profile as not a heap profile', () => {
    const cpu = syntheticHeapProfile([{ stack: [['main.f']], values: [1, 1000] }], { sampleTypes: ['samples:count', 'cpu:nanoseconds'] });
    rejects(cpu, 'HW_ERR_PROFILE_NOT_HEAP');
  });

  it('rejects out-of-range location, function and string ids', () => {
    const base = (): Profile => Profile.decode(gunzipSync(syntheticHeapProfile([{ stack: [['main.f']], values: [1, 8, 1, 8] }])));
    const badLocation = base();
    badLocation.sample[0]!.locationId = [99];
    rejects(gzipSync(badLocation.encode()), 'HW_ERR_PROFILE_MALFORMED');
    const badFunction = base();
    badFunction.location[0]!.line[0]!.functionId = 42;
    rejects(gzipSync(badFunction.encode()), 'HW_ERR_PROFILE_MALFORMED');
    const badString = base();
    badString.function[0]!.name = 10_000;
    rejects(gzipSync(badString.encode()), 'HW_ERR_PROFILE_MALFORMED');
  });
});
