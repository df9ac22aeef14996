/**
 * The detection session on synthetic processes, one per shape of the issue:
 * the honest way to test the math (exact rates, ages and intervals). The real
 * corpus (test/corpus.test.ts) tests the end result on real profiles.
 *
 * A process here is a set of allocation sites, each with its inuse bytes and
 * its allocation rate as functions of the process's age in minutes, plus a
 * noisy background (test/helpers/synthetic-process.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HeapProfile } from '../pprof/profile.js';
import { warnedAt, type Finding } from './findings.js';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { seededRandom as rng } from '../../test/helpers/random.js';
import { keeping, linear, MB, MIN, profileAt, sampled, steady, type Site } from '../../test/helpers/synthetic-process.js';
import { Replayer } from './replay.js';
import { DetectionSession } from './session.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

interface Run {
  findings: Finding[];
  warnings: Finding[];
  staleProfiles: number;
}

/**
 * Scrapes a process every `intervalMin` from age `startAge` for `minutes`.
 * `restartAt` (minutes into the run) starts a new process of age 0.
 * `outage` [from, to): minutes without a scrape (the processes run on).
 */
function run(sites: Site[], o: { intervalMin?: number; startAge?: number; minutes: number; restartAt?: number; restartEvery?: number; gcEveryMin?: number; seed?: number; outage?: [number, number]; newBuildAtRestart?: boolean }): Run {
  const r = new Replayer(DEFAULT_DETECT_PARAMS);
  const rand = rng(o.seed ?? 1);
  const interval = o.intervalMin ?? 1;
  let last: HeapProfile | undefined;
  for (let m = 0; m <= o.minutes; m += interval) {
    // No scrape reached the process (`outage`: from, to minutes into the run).
    if (o.outage && m >= o.outage[0] && m < o.outage[1]) continue;
    const age = o.restartEvery !== undefined ? m % o.restartEvery : o.restartAt !== undefined && m >= o.restartAt ? m - o.restartAt : (o.startAge ?? 600) + m;
    // Without a GC since the last scrape, the runtime serves the same profile again.
    const gcRan = o.gcEveryMin === undefined || m % o.gcEveryMin === 0 || !last;
    const built = gcRan ? profileAt(sites, age, rand, T0 + m * MIN) : { ...last!, timeMs: T0 + m * MIN };
    // A deploy: the process after the restart runs another build.
    const p = o.newBuildAtRestart && o.restartAt !== undefined && m >= o.restartAt ? { ...built, buildId: 'b2' } : built;
    last = p;
    r.add(p, T0 + m * MIN);
  }
  const result = r.finish();
  return { findings: result.findings, warnings: result.findings.filter((f) => f.severity !== 'info'), staleProfiles: result.staleProfiles };
}

const minutesToDetect = (f: Finding | undefined): number | undefined => (f ? (f.detectedAt - T0) / MIN : undefined);

describe('DetectionSession on synthetic processes', () => {
  it('finds a 5.2 MB/h leak scraped every 5 minutes for 5 hours (durations, not point counts)', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(5.2, 600), allocPerMin: steady(0.2) }], { intervalMin: 5, minutes: 300 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*store).keep']);
    assert.ok(minutesToDetect(r.warnings[0])! <= 180, `${minutesToDetect(r.warnings[0])} min`);
  });

  it('finds a 30 MB/h leak at a 15-second interval as fast as at 1 minute', () => {
    const site = [{ fn: 'main.(*store).keep', inuse: linear(30, 600), allocPerMin: steady(1) }];
    const fast = run(site, { intervalMin: 0.25, minutes: 90 });
    const slow = run(site, { intervalMin: 1, minutes: 90 });
    assert.equal(fast.warnings.length, 1);
    assert.equal(slow.warnings.length, 1);
    assert.ok(Math.abs(minutesToDetect(fast.warnings[0])! - minutesToDetect(slow.warnings[0])!) <= 5);
    assert.ok(minutesToDetect(slow.warnings[0])! <= 40, `${minutesToDetect(slow.warnings[0])} min`);
  });

  it('a cache filling at a constant rate for 60 minutes after process start, then flat: info, never a warning', () => {
    const cache: Site = { fn: 'main.(*lru).put', inuse: (m) => Math.min(m, 60) * (40 * MB / 60), allocPerMin: steady(1) };
    const r = run([cache], { startAge: 0, minutes: 180 });
    assert.deepEqual(r.warnings, []);
    // Held in the warm-up with the class it would warn as, saying why until
    // when; once the fill stopped, it is a filling cache (the long horizon's
    // rate keeps falling) or resolves.
    const info = r.findings.find((f) => f.function === 'main.(*lru).put');
    assert.ok(info, 'the fill is reported as info');
    assert.equal(info.classId, 'unclassified-growth');
    assert.equal(info.severity, 'info');
    assert.match(info.evidence.hold?.reason ?? '', /held at info until .*since a warm-up cache fill looks the same \(detect\.warmup, which a target may set for itself\)/);
    assert.ok(minutesToDetect(info)! < 60, `${minutesToDetect(info)} min`);
    assert.equal(info.state, 'resolved');
    assert.ok(['plateaued', 'slowing down: a filling cache'].includes(info.resolvedReason!), info.resolvedReason!);
  });

  it('a fill that plateaus inside the warm-up: its held info finding resolves, no warning', () => {
    const cache: Site = { fn: 'main.(*lru).put', inuse: (m) => Math.min(m, 45) * (60 * MB / 60), allocPerMin: steady(1) };
    const r = run([cache], { startAge: 0, minutes: 150 });
    assert.deepEqual(r.warnings, []);
    const held = r.findings.filter((f) => f.evidence.hold);
    assert.ok(held.length > 0, 'the fill is held as info');
    for (const f of held) {
      assert.equal(f.severity, 'info');
      // Within resolve_after of the plateau (minute 45): flat, or a fill that slowed to a stop.
      assert.ok(['plateaued', 'slowing down: a filling cache'].includes(f.resolvedReason!), f.resolvedReason!);
      assert.ok((f.resolvedAt! - T0) / MIN <= 75, `resolved at ${(f.resolvedAt! - T0) / MIN} min`);
    }
  });

  it('the same growth in a process past its warm-up, continuing past 60 minutes, is a leak', () => {
    const site: Site = { fn: 'main.(*lru).put', inuse: linear(40), allocPerMin: steady(1) };
    const r = run([site], { startAge: 0, minutes: 120 });
    assert.deepEqual(r.warnings.map((f) => f.classId), ['unclassified-growth']);
    // One finding for the site: raised as info in the warm-up, escalated past it.
    assert.deepEqual(r.findings.filter((f) => f.function === 'main.(*lru).put').length, 1);
    const w = r.warnings[0]!;
    const t = (warnedAt(w)! - T0) / MIN;
    assert.ok(t >= 60 && t <= 70, `${t} min: after the warm-up, confirmed soon after it`);
    assert.ok(minutesToDetect(w)! < 45, `info raised at ${minutesToDetect(w)} min`);
    assert.equal(w.evidence.hold, undefined);
  });

  it('a log-like fill in an old process is an info finding ("filling, slowing down"), not a warning', () => {
    const site: Site = { fn: 'main.(*cache).fill', inuse: (m) => 12 * MB * Math.log1p((m - 600) / 4), allocPerMin: steady(1) };
    const r = run([site], { startAge: 600, minutes: 180 });
    assert.deepEqual(r.warnings, []);
    const info = r.findings.find((f) => f.classId === 'cache-filling');
    assert.ok(info);
    assert.match(info.summary, /filling, slowing down/);
  });

  it('memory that follows load (ramp for 30 minutes, then hold) is not a leak', () => {
    const rate = (m: number) => Math.min(m - 600, 30) / 30; // load 0..1
    const site: Site = { fn: 'main.(*server).serve', inuse: (m) => 5 * MB + 40 * MB * rate(m), allocPerMin: (m) => 1 * MB + 800 * MB * rate(m) };
    const r = run([site], { startAge: 600, minutes: 150 });
    assert.deepEqual(r.warnings, []);
  });

  it('a leak after a flagged warm-up fill, and two leaks at once, each get their own finding', () => {
    const sites: Site[] = [
      { fn: 'main.(*lru).put', inuse: (m) => Math.min(m, 40) * MB, allocPerMin: steady(1) },
      { fn: 'main.(*sessions).remember', inuse: linear(30, 70), allocPerMin: steady(1) },
      { fn: 'main.(*audit).append', inuse: linear(25, 80), allocPerMin: steady(0.5) },
    ];
    const r = run(sites, { startAge: 0, minutes: 200 });
    assert.deepEqual(r.warnings.map((f) => f.function).sort(), ['main.(*audit).append', 'main.(*sessions).remember']);
    assert.ok(r.findings.some((f) => f.classId === 'cache-filling' && f.function === 'main.(*lru).put'), 'the warm-up was flagged');
  });

  it('a slow duplicate-client leak spread over several functions is judged as one site, and found', () => {
    // Each client created per request keeps its options, lbcache entry and
    // event queue: three functions at 1.2 MB/h each, none with 4 MiB of
    // growth in two hours on its own; their sum has.
    const KX = 'github.com/cloudwego/kitex';
    const callers = [`${KX}/client.NewClient`, 'main.(*gateway).backend'];
    const part = (fn: string, via: string[] = []): Site => ({ fn, callers: [...via, ...callers], inuse: linear(1.2, 600), allocPerMin: steady(0.02) });
    const r = run([part(`${KX}/internal/client.NewOptions`), part(`${KX}/pkg/event.NewQueue`, [`${KX}/client.(*kClient).initLBCache`]), part(`${KX}/pkg/loadbalance/lbcache.newBalancer`, [`${KX}/pkg/loadbalance/lbcache.(*BalancerFactory).Get`])], { minutes: 180 });
    assert.deepEqual(r.warnings.map((f) => [f.classId, f.function]), [['duplicate-clients', `${KX}/client.NewClient`]]);
    assert.equal(r.warnings[0]!.evidence.stacks, 3);
  });

  it('carries allocation context: "allocates X MB/min, keeps Y MB/h"', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(40, 600), allocPerMin: steady(3.1) }], { minutes: 90 });
    const f = r.warnings[0]!;
    assert.match(f.evidence.allocation!, /^allocates 3\.1 MB\/min, keeps (3\d|4\d) MB\/h$/);
    assert.ok(f.evidence.keptShare! > 0.15 && f.evidence.keptShare! < 0.3);
  });

  it('after a restart mid-leak, the leak is found again in the new process', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(40), allocPerMin: steady(1) }], { minutes: 260, restartAt: 120 });
    const ends = r.warnings.map((f) => [f.epoch, f.state]);
    assert.equal(r.warnings.length, 2, JSON.stringify(ends));
    assert.notEqual(r.warnings[0]!.epoch, r.warnings[1]!.epoch);
  });

  it('a leak growing in bursts between rare GCs is found from the points that changed', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(30, 600), allocPerMin: steady(1) }], { minutes: 240, gcEveryMin: 7 });
    assert.ok(r.staleProfiles > 150);
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*store).keep']);
  });

  it('a leak seen at one rare GC opens `for` later, on the unchanged profiles that follow, not at the next GC', () => {
    // A GC every 30 minutes: 29 of 30 profiles are the previous one again.
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(12, 600), allocPerMin: steady(0.5) }], { minutes: 300, gcEveryMin: 30 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*store).keep']);
    const opened = minutesToDetect(r.warnings[0])!;
    // The judgement of the GC's profile holds while the heap is unchanged: `for` (10 min) runs on it.
    assert.equal(opened % 30, DEFAULT_DETECT_PARAMS.forMs / MIN, `opened at minute ${opened}`);
  });

  it('a leak that starts after 90 flat minutes in an old process is found within 35 minutes of its start', () => {
    // Judged over the whole 2-hour window, the flat history dilutes it: it
    // was found 76 minutes after its start before the onset was estimated.
    const r = run([{ fn: 'main.(*audit).append', inuse: (m) => 2 * MB + linear(25, 690)(m), allocPerMin: steady(0.5) }], { minutes: 220 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*audit).append']);
    const t = minutesToDetect(r.warnings[0])! - 90;
    assert.ok(t > 0 && t <= 35, `${t} min after the leak started`);
  });

  it('a leak reached through 200 call paths, in a profile of 500 stacks, is one site and found', () => {
    // Each path is a stack of 0.15 MB/h, less interesting than any of the 300
    // 1 MB stacks of a working set: none would earn one of the 64 tracked
    // slots in time, and a slot's history starts when it is taken. Summed
    // per owner before the budget picks (stack-sites.ts: bySite), both are one
    // site, and the leak is a 30 MB/h leak.
    const paths = (n: number, site: Omit<Site, 'callers'>, caller: string): Site[] => Array.from({ length: n }, (_, i) => ({ ...site, callers: [`main.${caller}${i}`, 'main.serve'] }));
    const leak = paths(200, { fn: 'main.(*audit).append', inuse: linear(0.15, 600), allocPerMin: steady(0.005) }, 'handler');
    const workingSet = paths(300, { fn: 'main.(*catalog).load', inuse: () => MB, allocPerMin: steady(0.01) }, 'shard');
    const r = run([...leak, ...workingSet], { minutes: 120 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*audit).append']);
    assert.ok(minutesToDetect(r.warnings[0])! <= 45, `${minutesToDetect(r.warnings[0])} min`);
    // The finding shows one of the stacks and counts them all.
    assert.equal(r.warnings[0]!.evidence.stacks, 200);
  });

  it("an owner's site shows the path that grows, not the first one seen", () => {
    // One owner, two paths through two helpers: a 40 MB preload through
    // fmt.Sprintf (seen first) and a 30 MB/h leak through strings.Repeat.
    // Summed per owner, the finding names the owner and shows the leak's path.
    const preload: Site = { fn: 'fmt.Sprintf', callers: ['main.(*store).put', 'main.loadAll'], inuse: () => 40 * MB, allocPerMin: steady(0.01) };
    const leak: Site = { fn: 'strings.Repeat', callers: ['main.(*store).put', 'main.serve'], inuse: linear(30, 600), allocPerMin: steady(0.6) };
    const r = run([preload, leak], { minutes: 90 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*store).put']);
    const [finding] = r.warnings;
    assert.deepEqual(finding!.stack.slice(0, 3), ['strings.Repeat', 'main.(*store).put', 'main.serve']);
    assert.match(finding!.summary, /allocated in strings\.Repeat/);
    assert.equal(finding!.evidence.stacks, 2);
  });

  it('a leak that kills its process before the warm-up ends (a crash loop) warns in the third process', () => {
    // 60 MB/h, the process restarted every 45 minutes: each process is young
    // when it ends, so the warm-up hold alone would never lift. Two processes
    // that each ended while the site grew, held, lift it in the third.
    const r = run([{ fn: 'main.(*audit).append', inuse: linear(60), allocPerMin: steady(1) }], { minutes: 180, restartEvery: 45 });
    const first = r.warnings[0]!;
    assert.equal(first.function, 'main.(*audit).append');
    const minute = minutesToDetect(first)!;
    assert.ok(minute >= 90 && minute <= 90 + 30, `warned at minute ${minute}, in the third process (from 90)`);
    assert.deepEqual(first.evidence.crashLoop, { processes: 2, endAges: [44, 44] });
    assert.match(first.summary, /until each of the last 2 processes ended, at 44 and 44 min old/);
    // Before it, the first two processes held it at info.
    assert.ok(r.findings.filter((f) => f.detectedAt < 90 * MIN + T0).every((f) => f.severity === 'info'));
    // And every later process warns too: the chain goes on through raised processes.
    assert.equal(r.warnings.filter((f) => f.detectedAt >= 135 * MIN + T0).length, 1);
  });

  it('a crash loop of 30-minute processes warns too, without waiting `for` in a process that may not last it', () => {
    const r = run([{ fn: 'main.(*audit).append', inuse: linear(90), allocPerMin: steady(1.5) }], { minutes: 120, restartEvery: 30 });
    assert.ok(r.warnings.length > 0 && minutesToDetect(r.warnings[0])! < 90, `${minutesToDetect(r.warnings[0])}`);
    assert.ok(r.warnings.every((f) => f.evidence.crashLoop !== undefined));
  });

  it('a crash loop of processes that each die younger than min_window warns in the third, judged over their whole short lives', () => {
    // 120 MB/h, a new process every 20 minutes (min_window is 25): each life
    // is judged at its end over all of it, and the third process on half of
    // min_window, so it is raised before it dies.
    const r = run([{ fn: 'main.(*audit).append', inuse: linear(120), allocPerMin: steady(2) }], { minutes: 100, restartEvery: 20 });
    const first = r.warnings[0];
    assert.ok(first, 'warned');
    const minute = minutesToDetect(first)!;
    assert.ok(minute >= 40 && minute < 60, `warned at minute ${minute}, in the third process`);
    assert.deepEqual(first.evidence.crashLoop, { processes: 2, endAges: [19, 19] });
  });

  it('short processes whose site stops growing before they die, or that die too young to judge, raise no crash loop', () => {
    // A working set loaded in each process's first 5 minutes, then flat.
    const load: Site = { fn: 'main.(*config).load', inuse: (m) => Math.min(m, 5) * 8 * MB, allocPerMin: (m) => (m < 5 ? 8 * MB : 0.01 * MB) };
    assert.deepEqual(run([load], { minutes: 120, restartEvery: 20 }).warnings, []);
    // Processes of 10 minutes: less than half of min_window, never judged (docs/detection.md: Crash loops).
    assert.deepEqual(run([{ fn: 'main.(*audit).append', inuse: linear(240), allocPerMin: steady(4) }], { minutes: 100, restartEvery: 10 }).warnings, []);
  });

  it('a crash loop whose one process was seen too briefly to judge (an outage of the scrapes) still warns', () => {
    // Processes at 0, 45, 90 and 135; no scrape from 88 to 125, so the third
    // is seen for 9 minutes only (from age 35: its counters are below the
    // second's at age 42, so the restart shows), less than half of
    // min_window. Unjudged, it neither breaks the chain of the first two nor
    // adds to it: the fourth is raised.
    const leak: Site = { fn: 'main.(*audit).append', inuse: linear(60), allocPerMin: steady(1) };
    const r = run([leak], { minutes: 180, restartEvery: 45, outage: [88, 125] });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*audit).append']);
    const minute = minutesToDetect(r.warnings[0])!;
    assert.ok(minute >= 135, `warned at minute ${minute}, in the fourth process`);
    assert.deepEqual(r.warnings[0]!.evidence.crashLoop, { processes: 2, endAges: [44, 42] });
    // Seen for its last 14 minutes (no scrape from 88 to 120), the third is
    // judged over what was seen, as a short life is, and adds to the chain.
    const seen14 = run([leak], { minutes: 180, restartEvery: 45, outage: [88, 120] });
    assert.deepEqual(seen14.warnings[0]!.evidence.crashLoop, { processes: 3, endAges: [44, 42, 44] });
  });

  it('a leak that warned before its process restarted (the same build) warns in the new process without waiting for the warm-up', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(20), allocPerMin: steady(1) }], { minutes: 240, restartAt: 150 });
    assert.equal(r.warnings.length, 2);
    const [before, after] = r.warnings;
    assert.ok(minutesToDetect(before)! < 150);
    // Judged once the new process has min_window of history, and held for nothing else.
    const minute = minutesToDetect(after)! - 150;
    assert.ok(minute < 60, `warned ${minute} min into the new process, inside its warm-up`);
    // The first process was 749 minutes old when it ended.
    assert.deepEqual(after!.evidence.leakedBefore, { ageMinutes: 749 });
    assert.equal(after!.evidence.note, 'not held for the warm-up: it leaked here in the process before this one (a warning there, still growing when it ended at 749 min old)');
    // Still so after the warm-up, when later judgements update the finding.
    assert.ok(after!.evidence.processAgeMinutes! > 60);
  });

  it('after a new build (a deploy, perhaps the fix), growth at the same site is held for the warm-up as any other', () => {
    const r = run([{ fn: 'main.(*store).keep', inuse: linear(20), allocPerMin: steady(1) }], { minutes: 240, restartAt: 150, newBuildAtRestart: true });
    const after = r.warnings.filter((f) => warnedAt(f)! >= T0 + 150 * MIN);
    // Found again, past the new process's warm-up, as a leak of its own.
    assert.equal(after.length, 1);
    assert.ok(warnedAt(after[0]!)! >= T0 + (150 + 60) * MIN, `warned at minute ${(warnedAt(after[0]!)! - T0) / MIN}`);
    assert.equal(after[0]!.evidence.leakedBefore, undefined);
  });

  it('one restart during a warm-up fill (a deploy) is no crash loop: no warning', () => {
    const fill = (m: number): number => Math.min(m, 60) * ((40 * MB) / 60);
    const r = run([{ fn: 'main.(*cache).fill', inuse: fill, allocPerMin: (m) => (m < 60 ? (40 * MB) / 60 : 0.01 * MB) }], { minutes: 200, restartAt: 45 });
    assert.deepEqual(r.warnings, []);
  });

  it('processes restarted after their fill has plateaued carry nothing: no warning', () => {
    const fill = (m: number): number => Math.min(m, 20) * ((30 * MB) / 20);
    const r = run([{ fn: 'main.(*cache).fill', inuse: fill, allocPerMin: (m) => (m < 20 ? (30 * MB) / 20 : 0.01 * MB) }], { minutes: 240, restartEvery: 50 });
    assert.deepEqual(r.warnings, []);
  });

  it('a cache first watched 90 minutes into its process (heapwatch deployed beside it) is held as filling: it grew faster before it was watched', () => {
    // 150 MB x (1 - exp(-t/70 min)), read with the profiler's sampling error:
    // first seen at 110 MB, growing 35 MB/h, a window of its tail can read as
    // straight as a leak (seed 2 warned 40 minutes after first sight when
    // only the watched points were judged). Its level then says it grew
    // twice as fast before.
    for (const seed of [1, 2, 3]) {
      const cache: Site = { fn: 'main.(*priceCache).load', inuse: sampled((m) => 150 * MB * (1 - Math.exp(-m / 70)), seed), allocPerMin: steady(1) };
      const r = run([cache], { startAge: 90, minutes: 180, seed });
      assert.deepEqual(r.warnings.map((f) => f.function), [], `seed ${seed}`);
      assert.ok(r.findings.some((f) => f.classId === 'cache-filling' && f.function === 'main.(*priceCache).load'), `seed ${seed}: reported as filling`);
    }
    // While its level speaks for the past (as long as the 90 minutes it stands for), the finding says why.
    const cache: Site = { fn: 'main.(*priceCache).load', inuse: sampled((m) => 150 * MB * (1 - Math.exp(-m / 70)), 2), allocPerMin: steady(1) };
    const filling = run([cache], { startAge: 90, minutes: 80, seed: 2 }).findings.find((f) => f.classId === 'cache-filling');
    assert.match(filling?.summary ?? '', /filling, slowing down \(.* MB\/h, down from .* MB\/h before it was first watched\)/);
  });

  it('a leak from process start first watched 90 minutes in is not held: it grows as fast as it did before', () => {
    for (const seed of [1, 2, 3]) {
      const leak: Site = { fn: 'main.(*auditTrail).append', inuse: sampled(linear(60), seed), allocPerMin: steady(1) };
      const r = run([leak], { startAge: 90, minutes: 120, seed });
      assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*auditTrail).append'], `seed ${seed}`);
      assert.ok(warnedAt(r.warnings[0]!)! - T0 <= 40 * MIN, `seed ${seed}: warned ${(warnedAt(r.warnings[0]!)! - T0) / MIN} min after first sight`);
    }
  });

  it('a site that holds a big level from its start and leaks steadily, first watched late, warns once it was watched as long as it had lived', () => {
    // 150 MB loaded at start, then 10 MB/h: at first sight (age 120 min) its
    // level reads as 85 MB/h before, so its 10 MB/h is held as filling; the
    // level stops speaking for the past once the watch is as long as that past.
    const site: Site = { fn: 'main.(*catalog).add', inuse: (m) => 150 * MB + linear(10)(m), allocPerMin: steady(0.2) };
    const r = run([site], { startAge: 120, minutes: 300 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*catalog).add']);
    const t = (warnedAt(r.warnings[0]!)! - T0) / MIN;
    assert.ok(t >= 120 && t <= 150, `warned ${t} min after first sight`);
  });

  it('a healthy old process raises nothing', () => {
    const r = run([], { minutes: 24 * 60, intervalMin: 2 });
    assert.deepEqual(r.warnings, []);
  });
});

describe('open findings: hysteresis', () => {
  it('a slow, noisy leak keeps one finding open instead of resolving and re-opening', () => {
    // 4 MB/h in ±1.5 MB of noise, scraped every 5 minutes for 10 hours:
    // the strict checks fail for more than `resolve_after` now and then.
    // Without hysteresis this seed's finding resolved at minute 125 and was
    // raised again at 140.
    const noisy = rng(26);
    const site: Site = { fn: 'main.(*audit).append', inuse: (m) => linear(4, 600)(m) + (noisy() - 0.5) * 3 * MB, allocPerMin: steady(0.5) };
    const r = run([site], { intervalMin: 5, minutes: 600, seed: 2 });
    assert.equal(r.warnings.length, 1, r.warnings.map((f) => `${f.detectedAt} ${f.resolvedReason}`).join('; '));
    assert.equal(r.warnings[0]!.state, 'open');
  });

  it('a leak that stops resolves once the points since show it stopped', () => {
    const site: Site = { fn: 'main.(*store).keep', inuse: (m) => Math.min(m - 600, 90) * (40 * MB / 60), allocPerMin: steady(1) };
    const r = run([site], { minutes: 240 });
    assert.equal(r.warnings.length, 1);
    const f = r.warnings[0]!;
    assert.equal(f.state, 'resolved');
    assert.equal(f.resolvedReason, 'growth stopped');
    // Raised during the growth, resolved `resolve_after` after its last pass, within an hour of the stop.
    const resolvedAt = (f.resolvedAt! - T0) / MIN;
    assert.ok(resolvedAt >= 90 + 30 && resolvedAt <= 150, `${resolvedAt} min`);
  });
  it('dates the process start from the bytes it freed: a working set loaded at start does not end the warm-up early', () => {
    // 3 GB loaded in the first minute is ~5 minutes of this process's steady
    // allocation: counted as allocation at the steady rate, the process would
    // read ~5 minutes older than it is and its warm-up hold would end early.
    const preload: Site = { fn: 'main.loadCatalog', inuse: () => 3000 * MB, allocPerMin: (m) => (m === 0 ? 3000 * MB : 0) };
    const session = new DetectionSession(DEFAULT_DETECT_PARAMS);
    const rand = rng(7);
    const startMs = T0 - 2 * MIN;
    for (let age = 2; age <= 12; age++) session.observe('e1', startMs + age * MIN, profileAt([preload], age, rand, startMs + age * MIN));
    const estimate = session.processStartMs()!;
    assert.ok(Math.abs(estimate - startMs) <= MIN, `estimated start ${(estimate - startMs) / MIN} min from the real one`);
  });

  it('a cache approaching its bound from process start is not confirmed as a leak past the warm-up', () => {
    // 1 - exp(-t/50 min): at the warm-up's end it still grows at ~30 % of its
    // first hour's average rate, trends up on its own, and slows down.
    const cache: Site = { fn: 'main.(*priceCache).load', inuse: (m) => 90 * MB * (1 - Math.exp(-m / 50)), allocPerMin: steady(1) };
    const r = run([cache], { startAge: 0, minutes: 240 });
    assert.deepEqual(r.warnings, []);
    assert.ok(r.findings.some((f) => f.function === 'main.(*priceCache).load'), 'the fill is reported as info');
  });

  it('a fill found slowing past the warm-up stays info while it grows slower than it did then, however straight each window looks', () => {
    // 60 MB x log(1 + t/60 min) from process start: found filling at ~70
    // minutes; later 2-hour windows are nearly straight (the last third at
    // ~75 % of the first), so each window's own curvature comes and goes with
    // the noise, and judged window by window it warned at minute ~200-215 for
    // each of these seeds. Anchored at the filling finding, the rate since
    // falls further below the rate then.
    const table: Site = { fn: 'main.(*symbolTable).intern', inuse: (m) => 60 * MB * Math.log1p(m / 60), allocPerMin: (m) => MB / (1 + m / 60) };
    for (const seed of [1, 2, 3]) {
      const r = run([table], { startAge: 0, minutes: 300, seed });
      assert.deepEqual(r.warnings.map((f) => f.function), [], `seed ${seed}`);
      const filling = r.findings.find((f) => f.classId === 'cache-filling');
      assert.ok(filling, `seed ${seed}: no filling finding`);
      assert.ok((filling.detectedAt - T0) / MIN >= 60, `seed ${seed}: found filling at ${(filling.detectedAt - T0) / MIN} min, inside the warm-up`);
    }
  });

  it('symbol tables whose misses fall as 1/t from process start, read through the sampling error, mostly stay info; leaks at their first rate all warn', () => {
    // 28 MB/h x 20/(t + 20 min): past the warm-up it grows at ~25 % of its
    // first rate, yet the sampling error makes a window of it read straight.
    // The bytes' mean arrival time says the rate fell (sampling.ts: the
    // Laplace test); asked only of each window's thirds, 10 of these 20
    // seeds warned. A window just past the warm-up can still read straight
    // and trend on its own: growth no process-wide fact tells from a leak.
    let warned = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const table: Site = { fn: 'main.(*symbolTable).intern', inuse: sampled((m) => (28 * MB * 20 * Math.log1p(m / 20)) / 60, seed), allocPerMin: steady(1) };
      const cache = run([table], { startAge: 0, minutes: 300, seed });
      if (cache.warnings.length > 0) warned++;
      assert.ok(cache.findings.some((f) => f.classId === 'cache-filling'), `seed ${seed}: no filling finding`);
      const leak: Site = { fn: 'main.(*auditTrail).append', inuse: sampled(linear(28), seed), allocPerMin: steady(1) };
      const steady28 = run([leak], { startAge: 0, minutes: 150, seed });
      assert.deepEqual(steady28.warnings.map((f) => f.function), ['main.(*auditTrail).append'], `seed ${seed}`);
      assert.ok(warnedAt(steady28.warnings[0]!)! - T0 <= 90 * MIN, `seed ${seed}: the leak warned at ${(warnedAt(steady28.warnings[0]!)! - T0) / MIN} min`);
    }
    assert.ok(warned <= 6, `${warned} of 20 fills warned`);
  });

  it("a Kitex field leak's last third read slower by sampling chance is not a filling cache: it warns with its class", () => {
    // 12 MB/h of small strings under FastReadField2 from process start,
    // read through 512 KiB sampling (~23 objects an hour). Past the warm-up
    // a window's thirds often fall by a quarter by chance; until stop 51 that
    // plain ordering held seed 2 as filling and seeds 5 and 12 until 75. A
    // class's stack says what it is, so its slowing must exceed the sampling
    // error (engine.ts). Growth no class explains keeps the plain ordering:
    // it holds a cache's warning at weaker evidence. Past the warm-up, its
    // rate since falls short of 3/4 of the window's only beyond the sampling
    // error too (confirm.ts: wentOnAfter): until stop 53 seed 7 ran at
    // about half its rate since by chance and never warned; it warns at 85.
    const KX = 'github.com/cloudwego/kitex';
    const decoder = ['kitex_gen/echo.(*Request).FastRead', 'kitex_gen/echo.(*EchoEchoArgs).FastReadField1', 'kitex_gen/echo.(*EchoEchoArgs).FastRead', `${KX}/pkg/remote/codec/thrift.fastUnmarshal`, `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`, `${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`, `${KX}/pkg/remote/trans.(*svrTransHandler).Read`, `${KX}/pkg/remote/trans.(*svrTransHandler).OnRead`, `${KX}/pkg/remote/trans/netpoll.(*transServer).onConnRead`, 'github.com/cloudwego/netpoll.(*connection).onProcess.func1'];
    const warnedBy: number[] = [];
    let unclassifiedFilling = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const field: Site = { fn: 'kitex_gen/echo.(*Request).FastReadField2', callers: decoder, inuse: sampled(linear(12), seed), allocPerMin: steady(0.2) };
      const r = run([field], { startAge: 0, minutes: 90, seed });
      assert.ok(!r.findings.some((f) => f.classId === 'cache-filling'), `seed ${seed}: read as filling`);
      for (const w of r.warnings) assert.equal(w.classId, 'server-request-field-held', `seed ${seed}`);
      if (r.warnings[0]) warnedBy.push((warnedAt(r.warnings[0])! - T0) / MIN);
      const plain: Site = { fn: 'main.(*auditTrail).append', inuse: sampled(linear(12), seed), allocPerMin: steady(0.2) };
      if (run([plain], { startAge: 0, minutes: 90, seed }).findings.some((f) => f.classId === 'cache-filling')) unclassifiedFilling++;
    }
    assert.equal(warnedBy.length, 20, `${warnedBy.length} of 20 warned`);
    assert.ok(warnedBy.filter((t) => t <= 80).length >= 19, `warned at ${warnedBy.join(', ')} min`);
    assert.ok(unclassifiedFilling >= 1, 'the same growth with no class is held as filling at weaker evidence');
  });

  it('a leak whose rate dipped with its traffic past the warm-up warns once it regains that rate', () => {
    // 30 MB/h, at a third of that between minutes 20 and 70 of an old
    // process: the dip reads as a fill slowing down; the rate it comes back
    // to is the rate it had when found filling.
    const leak = keeping('main.(*auditLog).append', (m) => (m >= 620 && m < 670 ? 10 : 30), 600);
    const r = run([leak], { startAge: 600, minutes: 200 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*auditLog).append']);
    const t = (warnedAt(r.warnings[0]!)! - T0) / MIN;
    assert.ok(t <= 150, `warned at ${t} min`);
  });

  it('a leak whose traffic falls past the warm-up and then holds low warns once the 6-hour horizon no longer holds the fall', () => {
    // From process start, 40 MB/h until minute 30, falling to 8 MB/h by
    // minute 90, then held: past the warm-up it reads as a fill slowing
    // down. Against the rate before its filling finding it never comes back;
    // the latest window against the one before it does once the fall is
    // behind. The 6-hour horizon, which still sees the growth slow over its
    // whole span, holds it until the process is ~6 hours old (minute 363),
    // with the anchor as without it.
    const leak = keeping('main.(*auditLog).append', (m) => (m < 30 ? 40 : m < 90 ? 40 - (32 * (m - 30)) / 60 : 8));
    const r = run([leak], { startAge: 0, minutes: 480 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*auditLog).append']);
    const t = (warnedAt(r.warnings[0]!)! - T0) / MIN;
    assert.ok(t <= 6 * 60 + 15, `warned at ${t} min`);
  });

  it('a 3 MB/h leak from process start warns once it goes on after the warm-up, not once that part alone reaches min_growth', () => {
    // 4 MiB at 3 MB/h takes ~84 minutes: asked again of the points after the
    // warm-up, the least growth would hold this warning back to minute ~150.
    const site: Site = { fn: 'main.(*auditLog).append', inuse: linear(3), allocPerMin: steady(0.1) };
    const r = run([site], { startAge: 0, minutes: 150 });
    assert.deepEqual(r.warnings.map((f) => f.function), ['main.(*auditLog).append']);
    const t = (warnedAt(r.warnings[0]!)! - T0) / MIN;
    assert.ok(t <= 120, `warned at ${t} min`);
  });
});
