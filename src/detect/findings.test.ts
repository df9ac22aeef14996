import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Detection } from './detection.js';
import { FindingTracker, warnedAt } from './findings.js';

const MIN = 60_000;
const det = (key: string, severity: Detection['severity'] = 'warning'): Detection => ({
  key,
  classId: 'unclassified-growth',
  severity,
  title: 't',
  function: key,
  headline: 'h',
  stack: [key],
  growthBytes: 1,
  bytesPerHour: 1,
  summary: 's',
  remediation: 'r',
  docUrl: 'u',
  evidence: { versions: {}, matchedFrames: [], stacks: 1 },
});

describe('FindingTracker', () => {
  it('raises a finding only after the condition held for `for`, once', () => {
    const t = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN });
    const events = [];
    for (let m = 0; m <= 20; m++) events.push(...t.update('e1', m * MIN, [det('a')]));
    const opened = events.filter((e) => e.type === 'opened');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.finding.detectedAt, 10 * MIN);
    assert.equal(t.open().length, 1);
  });

  it('tells the engine which functions have an open filling finding, and since when', () => {
    const t = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN });
    const filling: Detection = { ...det('cache-filling|f', 'info'), classId: 'cache-filling', function: 'f' };
    for (let m = 0; m <= 12; m++) t.update('e1', m * MIN, [filling, det('g')]);
    assert.deepEqual([...t.fillingSince()], [['f', 10 * MIN]]);
    // After a daemon restart the tracker is built from the stored open
    // findings: the anchor is their detected_at, not the restart's time.
    const restored = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN }, t.open());
    assert.deepEqual([...restored.fillingSince()], [['f', 10 * MIN]]);
    // A new process ends every finding of the old one, and its anchor with it.
    t.endEpoch(13 * MIN);
    assert.deepEqual([...t.fillingSince()], []);
  });

  it('a gap in the condition restarts the `for` clock', () => {
    const t = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN });
    for (let m = 0; m < 9; m++) t.update('e1', m * MIN, [det('a')]);
    t.update('e1', 9 * MIN, []);
    const ev = [];
    for (let m = 10; m <= 19; m++) ev.push(...t.update('e1', m * MIN, [det('a')]));
    assert.equal(ev.filter((e) => e.type === 'opened').length, 0);
    assert.equal(t.update('e1', 20 * MIN, [det('a')])[0]!.type, 'opened');
  });

  it('resolves when growth stops for resolveAfter, and when the epoch ends', () => {
    const t = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN });
    t.update('e1', 0, [det('a'), det('b')]);
    assert.equal(t.update('e1', 29 * MIN, [det('b')]).some((e) => e.type === 'resolved'), false);
    const r = t.update('e1', 30 * MIN, [det('b')]).find((e) => e.type === 'resolved')!;
    assert.equal(r.finding.key, 'a');
    assert.equal(r.finding.resolvedReason, 'growth stopped');
    const restart = t.update('e2', 31 * MIN, []);
    assert.deepEqual(restart.map((e) => [e.type, e.finding.key, e.finding.resolvedReason]), [['resolved', 'b', 'epoch ended']]);
  });

  it('opens info findings at once', () => {
    const t = new FindingTracker({ forMs: 60 * MIN, resolveAfterMs: 30 * MIN });
    assert.equal(t.update('e1', 0, [det('v', 'info')])[0]!.type, 'opened');
  });

  it('continues from persisted open findings (a daemon restart)', () => {
    const first = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN });
    first.update('e1', 0, [det('a')]);
    const resumed = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN }, first.open());
    const ev = resumed.update('e1', MIN, [det('a')]);
    assert.deepEqual(ev.map((e) => e.type), ['updated']);
    assert.equal(ev[0]!.finding.detectedAt, 0);
  });

  it('a cache-filling finding waits `for`; growth that escalates from it opens at once and resolves it', () => {
    const t = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN });
    const filling = { ...det('cache-filling|f', 'info'), classId: 'cache-filling' as const, function: 'f' };
    const early = t.update('e1', 0, [filling]);
    assert.deepEqual(early, [], 'no info finding at first sight');
    for (let m = 1; m <= 10; m++) t.update('e1', m * MIN, [filling]);
    assert.deepEqual(t.open().map((f) => f.classId), ['cache-filling']);
    const leak = { ...det('unclassified-growth|f'), function: 'f' };
    const ev = t.update('e1', 11 * MIN, [leak]);
    assert.deepEqual(ev.map((e) => [e.type, e.finding.classId, e.finding.resolvedReason]), [
      ['opened', 'unclassified-growth', null],
      ['resolved', 'cache-filling', 'escalated to unclassified-growth'],
    ]);
  });

  it('a warning not detected for resolveAfter stays open while the caller says it still grows', () => {
    const t = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN });
    t.update('e1', 0, [det('a')]);
    assert.deepEqual(t.dueToResolve(29 * MIN, []), []);
    assert.deepEqual(t.dueToResolve(30 * MIN, []).map((f) => f.key), ['a']);
    assert.deepEqual(t.dueToResolve(30 * MIN, [det('a')]), [], 'detected now: not due');
    assert.deepEqual(t.update('e1', 30 * MIN, [], new Set(['a'])), []);
    assert.deepEqual(t.open().map((f) => [f.key, f.lastSeenAt]), [['a', 0]], 'held, not seen');
    const ev = t.update('e1', 45 * MIN, []);
    assert.deepEqual(ev.map((e) => [e.type, e.finding.resolvedReason]), [['resolved', 'growth stopped']]);
  });

  it('info findings are never due for the growth check, and a site with an open warning is not also filling', () => {
    const t = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN });
    t.update('e1', 0, [det('v', 'info'), { ...det('unclassified-growth|f'), function: 'f' }]);
    assert.deepEqual(t.dueToResolve(60 * MIN, []).map((f) => f.key), ['unclassified-growth|f']);
    const filling = { ...det('cache-filling|f', 'info'), classId: 'cache-filling' as const, function: 'f' };
    assert.deepEqual(t.update('e1', MIN, [filling, { ...det('unclassified-growth|f'), function: 'f' }]).map((e) => [e.type, e.finding.key]), [['updated', 'unclassified-growth|f']]);
  });

  it('holds warm-up growth at info with its class, then escalates the same finding to a warning', () => {
    const t = new FindingTracker({ forMs: 5 * MIN, resolveAfterMs: 30 * MIN });
    const held = (): Detection => {
      const d = det('a', 'info');
      return { ...d, evidence: { ...d.evidence, hold: { reason: 'warm-up', until: new Date(60 * MIN).toISOString() } } };
    };
    const events = [];
    for (let m = 0; m < 60; m++) events.push(...t.update('e1', m * MIN, [held()]));
    for (let m = 60; m <= 70; m++) events.push(...t.update('e1', m * MIN, [det('a')]));
    // A noisy check after escalation never turns the warning back to info.
    events.push(...t.update('e1', 71 * MIN, [held()]));
    const opened = events.filter((e) => e.type === 'opened');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.finding.severity, 'info');
    assert.equal(opened[0]!.finding.classId, 'unclassified-growth');
    assert.equal(opened[0]!.finding.detectedAt, 5 * MIN);
    const [f] = t.open();
    assert.equal(f!.severity, 'warning');
    assert.equal(f!.detectedAt, 5 * MIN);
    assert.equal(warnedAt(f!), 60 * MIN);
    assert.equal(f!.evidence.hold, undefined);
  });

  it('resolves a held finding whose growth plateaued, without a warning', () => {
    const t = new FindingTracker({ forMs: 0, resolveAfterMs: 30 * MIN });
    const d = det('a', 'info');
    const held = { ...d, evidence: { ...d.evidence, hold: { reason: 'warm-up', until: new Date(60 * MIN).toISOString() } } };
    t.update('e1', 0, [held]);
    const r = t.update('e1', 30 * MIN, []).find((e) => e.type === 'resolved')!;
    assert.equal(r.finding.resolvedReason, 'plateaued');
    assert.equal(warnedAt(r.finding), null);
  });

  it('in the warm-up, a filling finding whose growth reads steady for `for` on end becomes the held finding of its class; turns shorter than `for` keep one finding', () => {
    const t = new FindingTracker({ forMs: 5 * MIN, resolveAfterMs: 30 * MIN });
    const filling = { ...det('cache-filling|f', 'info'), classId: 'cache-filling' as const, function: 'f' };
    const held = (): Detection => {
      const d = { ...det('unclassified-growth|f', 'info'), function: 'f' };
      return { ...d, evidence: { ...d.evidence, hold: { reason: 'warm-up', until: new Date(60 * MIN).toISOString() } } };
    };
    const events = [];
    for (let m = 0; m <= 5; m++) events.push(...t.update('e1', m * MIN, [filling]));
    assert.deepEqual(t.open().map((f) => f.classId), ['cache-filling']);
    // Steady for less than `for`, then slowing again: the filling finding stands.
    for (let m = 6; m <= 9; m++) events.push(...t.update('e1', m * MIN, [held()]));
    events.push(...t.update('e1', 10 * MIN, [filling]));
    assert.deepEqual(t.open().map((f) => f.classId), ['cache-filling']);
    // Steady for `for` on end: the held finding replaces it.
    for (let m = 11; m <= 16; m++) events.push(...t.update('e1', m * MIN, [held()]));
    assert.deepEqual(
      events.filter((e) => e.type !== 'updated').map((e) => [e.type, e.finding.classId, e.finding.severity, e.finding.resolvedReason]),
      [
        ['opened', 'cache-filling', 'info', null],
        ['opened', 'unclassified-growth', 'info', null],
        ['resolved', 'cache-filling', 'info', 'growing steadily again: held as unclassified-growth'],
      ],
    );
    const [f] = t.open();
    assert.equal(f!.detectedAt, 16 * MIN);
    assert.ok(f!.evidence.hold);
  });

  it('past the warm-up, a filling finding is not turned back into a held one', () => {
    const t = new FindingTracker({ forMs: 5 * MIN, resolveAfterMs: 30 * MIN });
    const filling = { ...det('cache-filling|f', 'info'), classId: 'cache-filling' as const, function: 'f' };
    const d = { ...det('unclassified-growth|f', 'info'), function: 'f' };
    const unconfirmed = { ...d, evidence: { ...d.evidence, hold: { reason: 'not confirmed after the warm-up', until: new Date(60 * MIN).toISOString() } } };
    for (let m = 60; m <= 65; m++) t.update('e1', m * MIN, [filling]);
    for (let m = 66; m <= 80; m++) t.update('e1', m * MIN, [unconfirmed]);
    assert.deepEqual(t.open().map((f) => f.classId), ['cache-filling']);
  });
});
