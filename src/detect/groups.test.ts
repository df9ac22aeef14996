/**
 * Grouping classifies each growing stack by its typical object: the size
 * (1 MiB and more, or less) that holds most of its bytes. netpoll's read
 * path books a busy server's small request buffers and an abnormal
 * caller's 8 MiB ones on the same stack.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupsOf } from './groups.js';
import { EpochSeries, type StackPoint } from './history.js';

const MIN = 60_000;
const MiB = 1 << 20;
const NP = 'github.com/cloudwego/netpoll';
const BOOK = [`${NP}.newLinkBufferNode`, `${NP}.(*UnsafeLinkBuffer).book`, `${NP}.(*connection).inputs`, `${NP}.(*connection).inputAck`];

/** The class of the book stack after an hour in which it gains one 8 MiB buffer every 10 minutes beside 4000 small ones. */
function classOf(sizesKnown: boolean): string[] {
  const series = new EpochSeries([2 * 3_600_000], 120, 8);
  for (let m = 0; m <= 60; m++) {
    const large = Math.floor(m / 10);
    const bytes = large * 8 * MiB + 4000 * 8192;
    const objects = large + 4000;
    // Sizes unknown (stored history): the stack's mean, 8-29 KiB, is all it has.
    const point: StackPoint = { bytes, objects, allocDelta: 0, largeBytes: sizesKnown ? large * 8 * MiB : 0, largeObjects: sizesKnown ? large : 0 };
    series.append(m * MIN, 100 * MiB + bytes, 0, new Map([[1, point]]));
  }
  const view = series.view(0, 0);
  const groups = groupsOf({ series, horizon: 0, view, frames: () => BOOK, modules: new Map([[NP, 'v0.7.2']]), functions: new Set(BOOK), minRise: MiB });
  return groups.map((g) => g.classification.classId);
}

describe('groupsOf', () => {
  it('classifies a stack by the objects that hold most of its bytes: a few 8 MiB buffers among thousands of small ones are oversized requests', () => {
    assert.deepEqual(classOf(true), ['oversized-requests']);
    assert.notDeepEqual(classOf(false), ['oversized-requests']);
  });
});
