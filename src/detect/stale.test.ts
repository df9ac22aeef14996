import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StaleTracker } from './stale.js';

const MIN = 60_000;

describe('StaleTracker', () => {
  it('says when most of the last hour was stale, and suggests params: { gc: 1 }', () => {
    const s = new StaleTracker();
    for (let m = 0; m < 60; m++) s.record(m * MIN, m % 10 !== 0);
    const st = s.staleness(59 * MIN);
    assert.equal(st.profiles, 60);
    assert.equal(st.share, 0.9);
    assert.match(st.note!, /90% of the last hour's profiles were unchanged.*params: \{ gc: 1 \}/);
  });

  it('no note when most profiles changed, or too few were seen', () => {
    const s = new StaleTracker();
    for (let m = 0; m < 60; m++) s.record(m * MIN, m % 3 === 0);
    assert.equal(s.staleness(59 * MIN).note, undefined);
    const few = new StaleTracker();
    for (let m = 0; m < 3; m++) few.record(m * MIN, true);
    assert.equal(few.staleness(3 * MIN).note, undefined);
  });

  it('only the last hour counts', () => {
    const s = new StaleTracker();
    for (let m = 0; m < 60; m++) s.record(m * MIN, true);
    for (let m = 60; m < 130; m++) s.record(m * MIN, false);
    assert.equal(s.staleness(129 * MIN).share, 0);
  });
});
