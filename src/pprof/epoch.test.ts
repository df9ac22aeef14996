import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyTransition, EpochTracker, type ProfileSummary } from './epoch.js';
import type { HeapProfile } from './profile.js';

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

/** Just what summarize() reads of a profile. */
function profile(allocObjects: number, allocBytes: number): HeapProfile {
  return {
    buildId: 'b1',
    sampleTypes: [{ type: 'alloc_objects' }, { type: 'alloc_space' }, { type: 'inuse_objects' }, { type: 'inuse_space' }],
    totals: [allocObjects, allocBytes, 1, 100],
  } as unknown as HeapProfile;
}

describe('EpochTracker', () => {
  it('decides without changing anything until the decision is committed', () => {
    const t = new EpochTracker();
    assert.equal(t.decide(profile(10, 100)).transition, 'first');
    assert.equal(t.decide(profile(10, 100)).transition, 'first', 'an uncommitted decision (a failed write) leaves it as it was');
    t.commit(t.decide(profile(10, 100)));
    assert.equal(t.decide(profile(10, 100)).transition, 'stale');
    assert.equal(t.decide(profile(20, 200)).transition, 'same_epoch');
    assert.equal(t.decide(profile(5, 50)).transition, 'restart');
  });

  it('resumes from a stored summary, and refuses flapping restarts only with its guard on', () => {
    const resumed = new EpochTracker({ buildId: 'b1', allocObjects: 10, allocBytes: 100, inuseObjects: 1, inuseBytes: 100 });
    assert.equal(resumed.decide(profile(11, 110)).transition, 'same_epoch');
    // Two processes behind one URL: A has more alloc_objects, B more alloc_space, so each looks like a restart.
    const run = (t: EpochTracker): boolean[] =>
      Array.from({ length: 8 }, (_, i) => {
        const d = t.decide(i % 2 === 0 ? profile(200, 1_000) : profile(100, 2_000));
        t.commit(d);
        return d.flapping;
      });
    assert.deepEqual(run(new EpochTracker()), [false, false, false, true, false, true, true, true]);
    assert.deepEqual(run(new EpochTracker(undefined, { flapGuard: false })), [false, false, false, false, false, false, false, false]);
  });
});
