import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asHeld, type Detection } from './detection.js';
import { DEFAULT_DETECT_PARAMS } from './params.js';

const MIN = 60_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const WARMUP_END = START + DEFAULT_DETECT_PARAMS.warmupMs;

const leak: Detection = {
  key: 'unclassified-growth|main.(*auditTrail).append',
  classId: 'unclassified-growth',
  severity: 'warning',
  title: 't',
  function: 'main.(*auditTrail).append',
  headline: 'h',
  stack: ['main.(*auditTrail).append'],
  growthBytes: 1,
  bytesPerHour: 1,
  summary: 'main.(*auditTrail).append keeps allocating memory that stays in use, growing 20 MB/h',
  remediation: 'r',
  docUrl: 'u',
  evidence: { versions: {}, matchedFrames: [], stacks: 1, processAgeMinutes: 40 },
};

describe('asHeld: growth held at info, and what the summary says holds it', () => {
  it('in the warm-up: until the process is old enough', () => {
    const held = asHeld(leak, WARMUP_END, START + 40 * MIN, DEFAULT_DETECT_PARAMS);
    assert.equal(held.severity, 'info');
    assert.equal(held.summary, `${leak.summary}; held at info until the process is 60 min old (2026-01-01T01:00:00.000Z), then a warning if it keeps growing`);
    assert.equal(held.evidence.hold?.until, '2026-01-01T01:00:00.000Z');
  });

  it('past the warm-up, while the growth is not yet confirmed: the confirmation, not a time already gone', () => {
    const held = asHeld(leak, WARMUP_END, START + 114 * MIN, DEFAULT_DETECT_PARAMS);
    assert.equal(held.severity, 'info');
    assert.equal(held.summary, `${leak.summary}; held at info until its growth goes on at its rate after the warm-up (ended 2026-01-01T01:00:00.000Z), then a warning if it keeps growing`);
    assert.match(held.evidence.hold?.reason ?? '', /confirmed to continue after the warm-up ended/);
  });
});
