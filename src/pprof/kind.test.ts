import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { decodeHeapProfileFast, decodeProfileFast } from './fast-decode.js';
import { profileKindOf } from './kind.js';
import { FIXTURES } from '../../test/helpers/paths.js';

const LIMITS = { maxDecompressedBytes: 64 * 1024 * 1024 };
const G = join(FIXTURES, 'goroutine-corpus');
const read = (series: string, n = 5): Buffer => readFileSync(join(G, series, 'profiles', `${String(n).padStart(4, '0')}.pb.gz`));

describe('profileKindOf', () => {
  it('tells heap, goroutine and goroutineleak profiles by their sample types, and nothing else', () => {
    const t = (...types: string[]) => types.map((type) => ({ type, unit: 'count' }));
    assert.equal(profileKindOf(t('alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space')), 'heap');
    assert.equal(profileKindOf(t('goroutine')), 'goroutine');
    assert.equal(profileKindOf(t('goroutineleak')), 'goroutineleak');
    assert.equal(profileKindOf(t('samples', 'cpu')), undefined);
    assert.equal(profileKindOf(t('contentions', 'delay')), undefined);
    assert.equal(profileKindOf(t('goroutine', 'goroutineleak')), undefined);
  });
});

describe('decodeProfileFast on real goroutine profiles', () => {
  it('decodes a go1.26 goroutine profile: one count per stack, totals = goroutines', () => {
    const { kind, profile } = decodeProfileFast(read('leak-chan-send', 89), LIMITS);
    assert.equal(kind, 'goroutine');
    assert.deepEqual(profile.sampleTypes, [{ type: 'goroutine', unit: 'count' }]);
    assert.equal(profile.totals[0], 389);
    assert.ok(profile.functions.some((f) => f.name === 'main.lookupBackend'));
  });

  it('decodes goroutineleak profiles of go1.26 (experiment) and go1.27.3, including an empty one', () => {
    assert.equal(decodeProfileFast(read('leakprof-chan-send'), LIMITS).kind, 'goroutineleak');
    assert.equal(decodeProfileFast(read('go127-leakprof-chan-send'), LIMITS).profile.totals[0], 217);
    const empty = decodeProfileFast(read('leakprof-worker-pool'), LIMITS);
    assert.equal(empty.kind, 'goroutineleak');
    assert.equal(empty.profile.totals[0], 0);
  });

  it('refuses a goroutine profile where only heap profiles are read, and a kind not asked for', () => {
    assert.throws(() => decodeHeapProfileFast(read('leak-chan-send'), LIMITS), (e: unknown) => e instanceof HeapwatchError && e.code === 'HW_ERR_PROFILE_NOT_HEAP' && /goroutine/.test(e.message));
    assert.throws(
      () => decodeProfileFast(read('leakprof-chan-send'), LIMITS, ['heap', 'goroutine']),
      (e: unknown) => e instanceof HeapwatchError && e.code === 'HW_ERR_PROFILE_NOT_HEAP' && /reads heap, goroutine profiles/.test(e.message),
    );
  });
});
