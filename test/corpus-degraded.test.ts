/**
 * The labelled corpus replayed as a daemon sees it when scrapes are lost
 * (test/eval/degrade.ts): a quarter of the profiles missing at random, 40
 * minutes without any in the middle of a long series, or its first 90
 * minutes (heapwatch deployed beside a running process). Nothing was
 * recorded for this: a verdict that holds only on the exact points
 * recorded would not hold on a service we have never seen either. Asserted
 * at what the detector does today (README "Evaluation on real profiles"),
 * so that any regression fails.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from '../src/detect/params.js';
import { CORPUS, evaluateCorpus, missedLeaks, renderDegraded, warnedHealthy, type CorpusScore } from './eval/corpus.js';
import type { Degradation } from './eval/degrade.js';
import { KNOWN_FALSE_ALARMS } from './eval/known-false-alarms.js';

/**
 * One replay: its summary printed, recall and class accuracy at least the
 * floors, no warning on a healthy series outside `knownFalseAlarms`, and
 * what else the replay is for (`more`).
 */
function replay(degradation: Degradation, title: string, o: { recall: number; knownFalseAlarms: readonly string[]; more?: (score: CorpusScore) => void }): void {
  describe(`labelled corpus, ${title}`, () => {
    const score = evaluateCorpus(DEFAULT_DETECT_PARAMS, undefined, degradation);

    it('prints its summary', () => {
      console.log(renderDegraded(degradation, score));
      // Only series of 3 hours or more are replayed for an outage or a late
      // start (a shorter one would only lose its end, or keep too little);
      // watched from minute 90, 90 minutes or more of each remain.
      const spanMin = { 'missed-scrapes': 0, outage: 180, 'late-start': 90 }[degradation];
      if (degradation === 'missed-scrapes') assert.equal(score.series.length, readdirSync(CORPUS).length);
      else assert.ok(score.series.length >= 40 && score.series.every((s) => s.lastMs - s.firstMs >= spanMin * 60_000), `${score.series.length} series`);
    });

    it(`recall >= ${o.recall} and class accuracy >= 0.9`, () => {
      assert.ok(score.recall >= o.recall, `recall ${score.recall.toFixed(3)}; missed: ${missedLeaks(score).join(', ')}`);
      assert.ok(score.classAccuracy >= 0.9, `class accuracy ${score.classAccuracy.toFixed(3)}`);
    });

    it('warns on no healthy series but the known ones', () => {
      const known = new Set([...KNOWN_FALSE_ALARMS, ...o.knownFalseAlarms]);
      assert.deepEqual(warnedHealthy(score).filter((name) => !known.has(name)), []);
    });

    if (o.more) it('and what this replay is for', () => o.more!(score));
  });
}

// The leaks it misses on top of the intact corpus's two warn there late in
// short series (minutes 60-126 of 80-150), when a noisy confirmation first
// passes; with a quarter of the points gone it has not by the end (intact:
// recall 0.984). trap-cache-bound-5min approaches its bound with a time
// constant of about four hours: held by its filling finding on the intact
// series until the growth regains 3/4 of its rate before
// (confirm.ts: resumedAfterFilling), it sits on that line, and with the
// intervals made irregular its sampled growth reaches it at minute 135.
replay('missed-scrapes', 'a quarter of the scrapes lost', { recall: 0.94, knownFalseAlarms: ['trap-cache-bound-5min'] });

// trap-rare-gc-cache-2min's bounded cache (time constant ~2 h) is seen only
// at rare GCs: the outage leaves too few changed points past the warm-up to
// show it slowing before the confirmation passes (minute 166).
// Missed: round 29's leak in rare 4 MB bursts (leak-burst-rare-2min). Its
// random bursts came five times in its first 90 minutes and three times in
// the next three hours (at 144, 178 and 264), all after the outage.
// The first evaluation past the outage reads its last third flat and finds
// it filling at minute 130; the bursts since then come at well under 3/4 of
// the rate before, so it stays "filling" (confirm.ts: resumedAfterFilling).
// Intact, the warm-up's confirmation passes at minute 162 before any anchor.
// Held-out round 64's golang-lru under uniform keys (trap-lru-uniform-2min,
// full at ~minute 60, then replacing entries) is quiet intact. Its ~120
// sampled values at the bound swing by ±5 MB as they are replaced, and
// rose 62 -> 71.5 MB between minutes 160 and 180; with the 10 points from
// minute 90 to 130 gone, that rise warns at minute 180.
replay('outage', 'a 40-minute outage of the scrapes', {
  recall: 0.98,
  knownFalseAlarms: ['trap-rare-gc-cache-2min', 'trap-lru-uniform-2min'],
  more: (score) => {
    // The crash loops included: a process seen only around the outage neither
    // adds to the loop nor breaks it. leak-crashloop-2min is killed every 50
    // minutes: its third process (100-150) is seen from minute 130 only.
    assert.ok(score.series.some((s) => s.manifest.scenario === 'leak-crashloop-2min'));
    assert.deepEqual(missedLeaks(score), ['leak-burst-rare-2min']);
  },
});

// Watched from minute 90, a cache still filling shows only its slow tail:
// the fast start that made the intact series' windows read as slowing is
// gone, and the tail of a 1/t fill or of a bound approached over hours runs
// nearly straight for the first min_window, in a process past its warm-up.
// Its level at first sight holds it when it says, beyond the sampling error,
// that the site grew faster before (confirm.ts: slowerThanBeforeFirstSight):
// trap-cache-bound-2min and trap-cache-log-4h warned at minutes 36 and 35 of
// watching without it, so they are no known false alarm here.
// trap-cache-bound-5min's level says no faster rate than its tail reads, and
// it warns at 40 (the known two at 48 and 108). So does the sampled estimate
// of trap-kitex-morning-2min's background working set (main.newProfile,
// ~32 MiB of ~17 KiB objects replaced every ~26 minutes), over a 7-hour
// window at minute 448: a drift just past its sampling error. Round 28's
// 1/t table at 90 s (trap-cache-log-90s) warns at 36: first seen at 35.7 MB
// (23.8 MB/h before), its next 36 minutes gain 9.3 MB (15.5 MB/h, 0.65 of
// it), 6.3 MB of that in one 15-minute burst, short of the one-sided
// p < 0.05 that holds it. Held-out round 50's fast 1/t table
// (trap-cache-log-fast-1min) and bound approached over 100 minutes
// (trap-cache-bound-tau100-45s) are found filling 35 minutes into the watch
// and warn 50-60 minutes later (minutes 175 and 185), when an hour of their
// tail grows at 3/4 of the hour before (confirm.ts: resumedAfterFilling).
// Missed: the crash loop (one whole held process left in view, two needed),
// a field leak whose traffic has fallen to a sixth of its peak by minute
// 120, and a 6 MB/h leak behind rare GCs whose sampled growth in its last
// hour is 0.6 of the hour before (held by its filling finding); since
// held-out round 52, also its 12 MB/h leak behind rare GCs beside a bound
// fill (a GC every ~20 minutes: too few changed points past minute 90);
// since round 54, its 4.2 MB/h frugal leak at 90 s, whose sampled level
// stood still for the first 30 minutes of the watch (found filling at 211).
// Held-out round 62's bound approached over 50 minutes at 2 minutes
// (trap-cache-bound-tau50-2min, quiet intact) warns 44 minutes into the
// watch: its sampled level rose 7.4 MB from minute 90 to 150 where the
// bound leaves 3.6 (30.5 MB at 120, 34.1 at 150, then flat), a tail as
// straight as a leak's, and no faster than its level at first sight says.
replay('late-start', 'watched from minute 90 (a running process)', {
  recall: 0.9,
  knownFalseAlarms: ['trap-cache-bound-5min', 'trap-kitex-morning-2min', 'trap-cache-log-90s', 'trap-cache-log-fast-1min', 'trap-cache-bound-tau100-45s', 'trap-cache-bound-tau50-2min'],
});
