import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameSequenceMap } from './frame-sequences.js';

describe('FrameSequenceMap', () => {
  it('finds exactly the sequences added, by content and length', () => {
    const m = new FrameSequenceMap();
    m.add([1, 2, 3], 3, 10);
    m.add([1, 2], 2, 11);
    m.add([], 0, 12);
    assert.equal(m.get([1, 2, 3]), 10);
    assert.equal(m.get([1, 2, 3, 4], 2), 11, 'only the first n frames count');
    assert.equal(m.get([]), 12);
    assert.equal(m.get([3, 2, 1]), undefined);
    assert.equal(m.get(new Uint32Array([1, 2, 3])), 10, 'typed arrays and plain arrays are the same key');
    assert.equal(m.size, 3);
    m.clear();
    assert.equal(m.get([1, 2, 3]), undefined);
    assert.equal(m.size, 0);
  });

  it('agrees with a string-keyed Map on random sequences (growth past the initial buffers included)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 300 }), { maxLength: 400 }), (seqs) => {
        const m = new FrameSequenceMap();
        const ref = new Map<string, number>();
        seqs.forEach((s, i) => {
          const key = s.join(',');
          assert.equal(m.get(s), ref.get(key));
          if (!ref.has(key)) {
            ref.set(key, i);
            m.add(s, s.length, i);
          }
        });
        for (const s of seqs) assert.equal(m.get(s), ref.get(s.join(',')));
        assert.equal(m.size, ref.size);
      }),
      { seed: 20261128, numRuns: 60 },
    );
  });
});
