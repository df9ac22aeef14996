import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyTransition, type ProfileSummary } from './epoch.js';

const s = (o: Partial<ProfileSummary> = {}): ProfileSummary => ({ buildId: 'b1', allocObjects: 100, allocBytes: 1000, inuseObjects: 10, inuseBytes: 100, ...o });

describe('classifyTransition', () => {
  it('tells first, same epoch, stale, restart and a new build apart', () => {
    assert.equal(classifyTransition(undefined, s()), 'first');
    assert.equal(classifyTransition(s(), s({ allocObjects: 101, allocBytes: 1100, inuseBytes: 120 })), 'same_epoch');
    assert.equal(classifyTransition(s(), s()), 'stale');
    // Frees without allocations after a GC: inuse moved, alloc did not. New information.
    assert.equal(classifyTransition(s(), s({ inuseBytes: 50, inuseObjects: 5 })), 'same_epoch');
    assert.equal(classifyTransition(s(), s({ allocObjects: 5, allocBytes: 50 })), 'restart');
    assert.equal(classifyTransition(s(), s({ allocBytes: 999 })), 'restart');
    assert.equal(classifyTransition(s(), s({ buildId: 'b2', allocObjects: 500, allocBytes: 5000 })), 'build_changed');
    // A profile without a build id does not count as a new build.
    assert.equal(classifyTransition(s(), s({ buildId: '', allocObjects: 101 })), 'same_epoch');
  });
});
