/**
 * The goroutine-leak detector on synthetic goroutine profiles with known
 * answers (1-minute interval, the shipped defaults). Each healthy shape is
 * one that the plain trend check alone would call growth, so each test shows
 * which of the detector's own signals keeps it quiet.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packStacks, type HeapProfile } from '../pprof/profile.js';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { GoroutineSession, goroutineTrendParams, type GoroutineEvidence, type GoroutineKind } from './goroutine.js';
import type { Finding } from './findings.js';
import { assessTrend } from './trend.js';

const MIN = 60_000;
const P = DEFAULT_DETECT_PARAMS;
const SEND = ['runtime.gopark', 'runtime.chansend1', 'main.lookup'];
const IDLE = ['runtime.gopark', 'runtime.selectgo', 'main.(*pool).worker'];
const BUSY = ['runtime.gopark', 'time.Sleep', 'main.(*pool).worker'];
const WAIT = ['runtime.gopark', 'runtime.selectgo', 'main.awaitResult'];
const SERVE = ['runtime.gopark', 'runtime.netpollblock', 'internal/poll.runtime_pollWait', 'net.(*netFD).Read', 'main.serve'];

/** A goroutine profile with these stacks and counts. */
function profile(kind: GoroutineKind, t: number, piles: [string[], number][]): HeapProfile {
  const names = [...new Set(piles.flatMap(([frames]) => frames))];
  const stacks = piles.filter(([, n]) => n > 0).map(([frames, n]) => ({ frames: frames.map((f) => names.indexOf(f)), values: [n] }));
  const total = stacks.reduce((s, x) => s + x.values[0]!, 0);
  return {
    timeMs: t,
    durationNanos: 0,
    period: 1,
    sampleTypes: [{ type: kind, unit: 'count' }],
    functions: names.map((name) => ({ name, filename: '' })),
    stacks: packStacks(stacks, 1),
    buildId: 'b1',
    modules: [],
    totals: [total],
  };
}

/** Replays `minutes` of one-minute goroutine profiles; returns every finding ever opened. */
function replay(minutes: number, piles: (m: number) => [string[], number][], kind: GoroutineKind = 'goroutine', step = 1): Finding[] {
  const session = new GoroutineSession(P);
  const seen = new Map<string, Finding>();
  for (let m = 0; m <= minutes; m += step) {
    for (const e of session.observe(kind, '1', m * MIN, profile(kind, m * MIN, piles(m)))) seen.set(e.finding.key, e.finding);
  }
  return [...seen.values()];
}

const values = (minutes: number, f: (m: number) => number): { t: number[]; v: number[] } => ({
  t: Array.from({ length: minutes + 1 }, (_, m) => m * MIN),
  v: Array.from({ length: minutes + 1 }, (_, m) => f(m)),
});
const trendAlone = (s: { t: number[]; v: number[] }) => assessTrend(s.t, s.v, 100, goroutineTrendParams(P));

describe('GoroutineSession: goroutine profiles', () => {
  it('finds 3 goroutines/min stuck in chan send after the warm-up and the hold, naming wait, function, start and rate', () => {
    const found = replay(90, (m) => [[SEND, 5 + 3 * m], [SERVE, 4]]);
    assert.equal(found.length, 1);
    const f = found[0]!;
    assert.equal(f.classId, 'goroutine-leak');
    assert.equal(f.severity, 'warning');
    assert.equal(f.function, 'main.lookup');
    assert.equal(f.detectedAt, (P.warmupMs + P.forMs) / MIN * MIN);
    const e = f.evidence as GoroutineEvidence;
    assert.equal(e.blocking, 'chan send');
    assert.equal(e.goroutinesPerHour, 180);
    assert.deepEqual(e.profileKinds, ['goroutine']);
    assert.match(f.summary, /^main\.lookup: goroutines blocked in chan send pile up, \+3\.0 goroutines\/min \(\d+ now\)$/);
    assert.deepEqual(f.stack, SEND);
  });

  it('reports the heap allocated under the pile\'s function when the target\'s heap profile has it', () => {
    const session = new GoroutineSession(P);
    let opened: Finding | undefined;
    for (let m = 0; m <= 90 && !opened; m++) {
      const events = session.observe('goroutine', '1', m * MIN, profile('goroutine', m * MIN, [[SEND, 5 + 3 * m]]), undefined, (fn) => (fn === 'main.lookup' ? 12.5e6 : undefined));
      opened = events.find((e) => e.type === 'opened')?.finding;
    }
    assert.ok(opened);
    assert.equal((opened.evidence as GoroutineEvidence).heapBytes, 12.5e6);
    assert.match(opened.summary, /; 12\.5 MB of heap allocated under main\.lookup is in use$/);
    assert.doesNotMatch(opened.headline, /heap/, 'the headline (a metric label) stays stable');
  });

  it('does not flag a pool that scales up for 50 minutes and then holds (time: the warm-up)', () => {
    const ramp = (m: number): number => 4 + 2 * Math.min(m, 50);
    assert.ok(trendAlone(values(45, ramp)).growing, 'the trend alone calls the ramp growth');
    assert.deepEqual(replay(150, (m) => [[SERVE, ramp(m)]]), []);
  });

  it('does not flag a sawtooth whose teeth grow taller but that falls back to its baseline (count returns to baseline)', () => {
    // Every 10 minutes all waiters are cancelled; the peaks rise, the floor stays at 2.
    const tooth = (m: number): number => 2 + (m % 10) * (2 + Math.floor(m / 10));
    const s = values(120, tooth);
    assert.ok(trendAlone(s).growing, 'the trend alone calls the rising teeth growth');
    assert.deepEqual(replay(120, (m) => [[WAIT, tooth(m)]]), []);
  });

  it('does not flag workers moving from busy to idle (goroutines of the same start function do not grow)', () => {
    const idle = (m: number): number => Math.min(60, Math.floor(m / 2));
    assert.ok(trendAlone(values(120, idle)).growing, 'the trend alone calls the idle pile growth');
    assert.deepEqual(replay(120, (m) => [[IDLE, idle(m)], [BUSY, 64 - idle(m)]]), []);
  });

  it('does not flag a pile that grows by fewer than 10 goroutines over the window', () => {
    assert.deepEqual(replay(150, (m) => [[SEND, 1 + Math.floor(m / 20)]]), []);
  });

  it('resolves when the pile stops growing, and on a new epoch', () => {
    const session = new GoroutineSession(P);
    const events = [];
    for (let m = 0; m <= 200; m++) {
      const n = 5 + 3 * Math.min(m, 100);
      events.push(...session.observe('goroutine', '1', m * MIN, profile('goroutine', m * MIN, [[SEND, n]])));
    }
    const resolved = events.filter((e) => e.type === 'resolved');
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]!.finding.resolvedReason, 'growth stopped');
    assert.equal(session.open().length, 0);
  });
});

describe('GoroutineSession: goroutineleak profiles', () => {
  it('reports a proven pile at the next profile after the hold as a warning, and critical once it grows', () => {
    const session = new GoroutineSession(P);
    const at = (m: number, n: number) => session.observe('goroutineleak', '1', m * MIN, profile('goroutineleak', m * MIN, [[SEND, n]]));
    assert.deepEqual(at(0, 4), []);
    const opened = at(10, 4);
    assert.equal(opened[0]?.type, 'opened');
    assert.equal(opened[0].finding.severity, 'warning');
    assert.equal((opened[0].finding.evidence as GoroutineEvidence).provenLeaked, 4);
    at(20, 9);
    const grown = at(30, 15);
    assert.equal(grown[0]!.finding.severity, 'critical');
    assert.match(grown[0]!.finding.summary, /the runtime proved 15 of them leaked/);
  });

  it('raises nothing for empty goroutineleak profiles', () => {
    assert.deepEqual(replay(60, () => [], 'goroutineleak', 10), []);
  });

  it('merges a pile seen by both profiles into one finding with both kinds of evidence', () => {
    const session = new GoroutineSession(P);
    let last: Finding[] = [];
    for (let m = 0; m <= 90; m++) {
      const n = 5 + 3 * m;
      session.observe('goroutine', '1', m * MIN, profile('goroutine', m * MIN, [[SEND, n]]));
      if (m % 10 === 0) session.observe('goroutineleak', '1', m * MIN, profile('goroutineleak', m * MIN, [[SEND, n - 2]]));
      last = session.open();
    }
    assert.equal(last.length, 1);
    const e = last[0]!.evidence as GoroutineEvidence;
    assert.deepEqual(e.profileKinds, ['goroutine', 'goroutineleak']);
    assert.equal(e.provenLeaked, 5 + 3 * 90 - 2);
    assert.equal(e.goroutinesPerHour, 180);
    assert.equal(last[0]!.severity, 'critical');
  });
});
