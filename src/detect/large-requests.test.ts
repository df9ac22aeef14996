/**
 * The large-request watch on hand-made stack points: transient buffers of
 * abnormal requests are named as a risk (info) while recent, ordinary large
 * payloads and one rare large request are not, nor other code's large
 * objects, nor netpoll before v0.2.5 (the barrier bug's stack). The real
 * series are in test/corpus.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { FindingTracker } from './findings.js';
import type { StackPoint } from './history.js';
import { largeOnAverage } from '../pprof/profile.js';
import { LargeRequestWatch } from './large-requests.js';

const MIN = 60_000;
const MiB = 1 << 20;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const NP = 'github.com/cloudwego/netpoll';
const FRAMES: Record<number, string[]> = {
  // netpoll's read path on v0.7: the request's buffer is booked on the connection's input.
  1: [`${NP}.newLinkBufferNode`, `${NP}.(*UnsafeLinkBuffer).book`, `${NP}.(*connection).inputs`, `${NP}.(*connection).inputAck`],
  // A service's own large objects.
  2: ['main.(*imageCache).put', 'main.serve'],
};
const frames = (id: number): string[] => FRAMES[id]!;
const process = (netpoll = 'v0.7.2') => ({ modules: new Map([[`${NP}`, netpoll]]), functions: new Set<string>(), growing: [] });

/** A stack point whose sizes are known only as a mean (stored history): all large or none. */
const byMean = (bytes: number, objects: number): StackPoint => {
  const large = largeOnAverage(bytes, objects);
  return { bytes, objects, allocDelta: 0, largeBytes: large ? bytes : 0, largeObjects: large ? objects : 0 };
};

/**
 * `minutes` profiles of a heap of `heap` bytes besides the buffers;
 * `buffers(m)`: the request buffers' [bytes, objects] at minute m (stack 1),
 * and of them [bytes, objects] in large objects (default: by their mean);
 * and other stacks.
 */
function watch(minutes: number, buffers: (m: number) => [number, number, number?, number?], other: Map<number, StackPoint> = new Map(), heap = 60e6): LargeRequestWatch {
  const w = new LargeRequestWatch();
  for (let m = 0; m < minutes; m++) {
    const [bytes, objects, largeBytes, largeObjects] = buffers(m);
    const stacks = new Map(other);
    if (bytes > 0) stacks.set(1, largeBytes === undefined ? byMean(bytes, objects) : { bytes, objects, allocDelta: 0, largeBytes, largeObjects: largeObjects ?? 0 });
    w.observe(T0 + m * MIN, heap + bytes, stacks, frames);
  }
  return w;
}

describe('LargeRequestWatch', () => {
  it('names transient buffers of abnormal requests as an info risk of the class while they are recent', () => {
    // Six 8 MiB buffers in flight at minutes 10, 40 and 70 of 90; nothing between.
    const w = watch(90, (m) => (m % 30 === 10 ? [6 * 8 * MiB, 6] : [0, 0]));
    const d = w.detection(T0 + 89 * MIN, DEFAULT_DETECT_PARAMS.windowMs, process(), frames);
    assert.ok(d);
    assert.equal(d.classId, 'oversized-requests');
    assert.equal(d.severity, 'info');
    assert.equal(d.function, `${NP}.(*UnsafeLinkBuffer).book`);
    assert.equal(d.evidence.risk!.peakBytes, 48 * MiB);
    assert.equal(d.evidence.risk!.profiles, 3);
    assert.match(d.summary, /buffers of 8 MiB on average, 50 MB at peak \(46% of the heap, .*\), in 3 of 90 profiles/);
    // Still named until the detection window (2 h) has passed since the last; then no more.
    const last = T0 + 70 * MIN;
    assert.ok(w.detection(last + DEFAULT_DETECT_PARAMS.windowMs, DEFAULT_DETECT_PARAMS.windowMs, process(), frames));
    assert.equal(w.detection(last + DEFAULT_DETECT_PARAMS.windowMs + MIN, DEFAULT_DETECT_PARAMS.windowMs, process(), frames), undefined);
  });

  it('stays quiet on ordinary large payloads, one rare large request, other code and netpoll before v0.2.5', () => {
    const now = T0 + 59 * MIN;
    const judge = (w: LargeRequestWatch, netpoll?: string) => w.detection(now, DEFAULT_DETECT_PARAMS.windowMs, process(netpoll), frames);
    // 1-2 MiB buffers of 512 KiB payloads, up to 6 MB, in a 20 MB heap: a
    // quarter of it, but below two 8 MiB buffers.
    assert.equal(judge(watch(60, () => [6e6, 4], new Map(), 20e6)), undefined);
    // 40 MB of 8 MiB buffers in a 600 MB heap: below a tenth of it.
    assert.equal(judge(watch(60, () => [40 * MiB, 5], new Map(), 600e6)), undefined);
    // Four 8 MiB buffers among 4000 small ones of the same stack, with
    // sizes unknown (stored history): a mean below 1 MiB, not seen.
    assert.equal(judge(watch(60, () => [32 * MiB + 4000 * 8192, 4004])), undefined);
    // A service's own 8 MiB objects.
    assert.equal(judge(watch(60, () => [0, 0], new Map([[2, byMean(64 * MiB, 8)]]))), undefined);
    // The same buffers on netpoll v0.2.4 are the barrier bug's (a class of its own).
    const big = watch(60, () => [48 * MiB, 6]);
    assert.equal(judge(big, 'v0.2.4'), undefined);
    assert.ok(judge(big));
  });

  it('reads the large buffers among the small ones of the same stack, by their own size', () => {
    // A busy server: 4000 connections' 8 KiB buffers and, at minute 20,
    // four 8 MiB ones on the same stack (Go records each size apart).
    const w = watch(30, (m) => (m === 20 ? [32 * MiB + 4000 * 8192, 4004, 32 * MiB, 4] : [4000 * 8192, 4000, 0, 0]));
    const d = w.detection(T0 + 29 * MIN, DEFAULT_DETECT_PARAMS.windowMs, process(), frames);
    assert.ok(d);
    assert.equal(d.evidence.risk!.peakBytes, 32 * MiB);
    assert.equal(d.evidence.risk!.profiles, 1);
    assert.match(d.summary, /buffers of 8 MiB on average, 34 MB at peak/);
  });

  it('opens at once, and resolves as "no longer seen" once it is not', () => {
    const tracker = new FindingTracker(DEFAULT_DETECT_PARAMS);
    const w = watch(30, (m) => (m === 20 ? [48 * MiB, 6] : [0, 0]));
    const d = w.detection(T0 + 29 * MIN, DEFAULT_DETECT_PARAMS.windowMs, process(), frames)!;
    assert.deepEqual(tracker.update('1', T0 + 29 * MIN, [d]).map((e) => e.type), ['opened']);
    const later = T0 + 29 * MIN + DEFAULT_DETECT_PARAMS.resolveAfterMs;
    const events = tracker.update('1', later, []);
    assert.deepEqual(events.map((e) => [e.type, e.finding.resolvedReason]), [['resolved', 'no longer seen']]);
  });
});
