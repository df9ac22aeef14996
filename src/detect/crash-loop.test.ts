/** Which sites a process carries into the next one when it ends (crash-loop.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asCrashLoop, asLeakedBefore, carryOver, leakedInLastProcess, outlivedItsProcesses } from './crash-loop.js';
import type { Detection } from './detection.js';

const ENDED = Date.parse('2026-01-01T00:45:00Z');

function detection(key: string, evidence: Partial<Detection['evidence']>): Detection {
  return {
    key,
    classId: 'unclassified-growth',
    severity: 'info',
    title: 't',
    function: key,
    stack: [key],
    growthBytes: 1,
    bytesPerHour: 1,
    headline: 'h',
    summary: `${key} grows`,
    remediation: 'r',
    docUrl: 'u',
    evidence: { versions: {}, matchedFrames: [], stacks: 1, processAgeMinutes: 44, ...evidence },
  };
}

const youngHold = { reason: 'young', until: '2026-01-01T01:00:00Z' };
const expiredHold = { reason: 'unconfirmed after the warm-up', until: '2026-01-01T00:30:00Z' };

describe('crash loops: what a process carries into the next', () => {
  it('carries a site held in the warm-up when the process ended, and counts the processes in a row', () => {
    const first = carryOver([detection('a', { hold: youngHold })], ENDED, new Map());
    assert.deepEqual([...first], [['a', { processes: 1, endAges: [44] }]]);
    assert.equal(outlivedItsProcesses(first.get('a')), false);
    const second = carryOver([detection('a', { hold: youngHold })], ENDED, first);
    assert.deepEqual(second.get('a'), { processes: 2, endAges: [44, 44] });
    assert.equal(outlivedItsProcesses(second.get('a')), true);
  });

  it('does not carry growth held because it went unconfirmed past the warm-up, or a filling cache', () => {
    const carried = new Map([['a', { processes: 1, endAges: [44] }]]);
    const out = carryOver([detection('a', { hold: expiredHold }), { ...detection('c', {}), classId: 'cache-filling' }], ENDED, carried);
    // The chain of `a` breaks: this process did not end young while it grew.
    assert.deepEqual([...out], []);
  });

  it('carries a site the process raised as a leak past its warm-up, growing to the end: the next process lifts its hold at once', () => {
    const warned = { ...detection('b', { processAgeMinutes: 150 }), severity: 'warning' as const };
    // Its warning was still open when the process ended, though the last
    // evaluation read its growth as a cache filling.
    const out = carryOver([{ ...detection('b', {}), classId: 'cache-filling' }], ENDED, new Map([['b', { processes: 1, endAges: [44] }]]), [warned]);
    assert.deepEqual([...out], [['b', { processes: 0, endAges: [], leakedAtAge: 150 }]]);
    // A warning detected at the end but never opened (its `for` still running) carries nothing.
    assert.deepEqual([...carryOver([warned], ENDED, new Map())], []);
    assert.equal(outlivedItsProcesses(out.get('b')), false);
    assert.equal(leakedInLastProcess(out.get('b')), true);
    const raised = asLeakedBefore({ ...detection('b', {}), severity: 'warning' }, out.get('b') as { processes: number; endAges: number[]; leakedAtAge: number });
    assert.match(raised.summary, /; it leaked here in the process before this one \(a warning there, still growing when it ended at 150 min old\)$/);
    assert.deepEqual(raised.evidence.leakedBefore, { ageMinutes: 150 });
    // Raised so in its turn, it carries on into the process after.
    assert.deepEqual(carryOver([raised], ENDED, out, [raised]).get('b'), { processes: 0, endAges: [], leakedAtAge: 44 });
  });

  it('keeps a chain going through processes where the rule raised the site, with a bounded list of ages', () => {
    let carried = new Map([['a', { processes: 2, endAges: [44, 44] }]]);
    for (let i = 0; i < 5; i++) {
      const raised = asCrashLoop(detection('a', {}), carried.get('a')!);
      carried = carryOver([raised], ENDED, carried);
    }
    assert.equal(carried.get('a')!.processes, 7);
    assert.deepEqual(carried.get('a')!.endAges, [44, 44, 44, 44]);
    const text = asCrashLoop(detection('a', {}), carried.get('a')!).summary;
    assert.match(text, /until each of the last 7 processes ended, the latest 4 at 44, 44, 44 and 44 min old/);
  });
});
