/**
 * The corpus as a daemon sees it when scrapes are lost. Every series was
 * recorded at a steady interval, and the detector was built on them; in
 * production a scrape times out, a target restarts slowly, heapwatch itself
 * is redeployed. Replaying each series with some of its profiles left out
 * asks whether a verdict depended on the exact points recorded, with
 * nothing re-recorded and no label changed:
 * - missed-scrapes: a quarter of the profiles lost at random (never the
 *   first two), the same ones on every run (seeded by the series' name):
 *   intervals become irregular, one to several times the recorded one;
 * - outage: no profile from minute 90 to 130 of the series (a 40-minute
 *   outage, in mid-window for every horizon), in series of 3 hours or
 *   more; shorter ones would only lose their end;
 * - late-start: the first 90 minutes lost (heapwatch deployed beside a
 *   process that has run for an hour and a half), in series of 3 hours or
 *   more. The warm-up and whatever grew in it are never seen: a cache still
 *   filling then shows only its slow tail. The manifest's minutes (a leak's
 *   start, a restart) count from the first profile kept.
 */

import { seededRandom } from '../helpers/random.js';

export type Degradation = 'missed-scrapes' | 'outage' | 'late-start';

export const DEGRADATIONS: Record<Degradation, string> = {
  'missed-scrapes': 'a quarter of the scrapes lost at random (never the first two)',
  outage: 'no scrape from minute 90 to 130 (series of 3 hours or more)',
  'late-start': 'watched from minute 90 on, as when heapwatch is deployed beside a running process (series of 3 hours or more)',
};

const LOST_SHARE = 0.25;
const OUTAGE_FROM_MIN = 90;
const OUTAGE_TO_MIN = 130;
const LATE_START_MIN = 90;
/** Series shorter than this are left out of the outage and the late start: they would only lose their end, or keep too little. */
const LONG_SERIES_MIN = 180;

/**
 * Which profiles of the series `name` survive `d`, by their times (ms, in
 * file order); undefined when the series is left out of the replay.
 */
export function survivors(name: string, times: readonly number[], d: Degradation): boolean[] | undefined {
  const first = Math.min(...times);
  const minute = (t: number): number => (t - first) / 60_000;
  if (d !== 'missed-scrapes' && minute(Math.max(...times)) < LONG_SERIES_MIN) return undefined;
  if (d === 'outage') return times.map((t) => minute(t) < OUTAGE_FROM_MIN || minute(t) >= OUTAGE_TO_MIN);
  if (d === 'late-start') return times.map((t) => minute(t) >= LATE_START_MIN);
  const random = seededRandom(fnv1a(name));
  return times.map((_, i) => random() >= LOST_SHARE || i < 2);
}

/** FNV-1a of a string: a stable 32-bit seed per series. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
