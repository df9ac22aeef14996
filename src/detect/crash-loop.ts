/**
 * Growth that outlives its processes. Pure.
 *
 * The warm-up hold (engine.ts) keeps growth that began with the process at
 * `info` until the process is `warmup` old, since a cache filling up at
 * start looks the same as a leak until it stops. A leak fast enough to get
 * its process killed (out of memory) before that age is never judged after
 * the warm-up: every process of a crash loop is young, so the hold is never
 * over and the leak never warns, though it is the most urgent kind.
 *
 * The evidence the hold waits for can come from earlier processes instead.
 * When a process ends while a site is held (still growing, steadily, with
 * the process inside its warm-up), the site is carried into the next
 * process. A site that grew like that until each of the last
 * `CRASH_LOOP_PROCESSES` processes ended, and grows again, is raised at its
 * class's severity in the warm-up of the next one. A process that dies
 * younger than `min_window` is judged once, at its end, over its whole life
 * (session.ts: #judgeShortLife), and in a loop of such short lives growth
 * is judged on the shorter window they were, so the next one is raised
 * before it dies too.
 *
 * Not told apart: a cache that fills for the whole life of each process,
 * in processes restarted (deployed) before their warm-up ends, twice in a
 * row. A single restart mid-fill (one deploy) is not enough.
 *
 * A restart mid-leak (issue 10, shape 9) carries stronger evidence: the
 * ended process raised the site as a leak past its warm-up, and the warning
 * was still open when the process ended (not shown to have stopped growing). The same binary restarted (a
 * crash, an eviction, a node drain) keeps the same code, so when the site
 * grows again in the new process it is no cache warming up: the hold is
 * lifted at once. A new build (a deploy, which may be the fix) carries
 * nothing of this kind (session.ts).
 */

import type { Detection } from './detection.js';

/** Consecutive processes that must have ended while a site grew, held, before its hold is lifted. */
export const CRASH_LOOP_PROCESSES = 2;

/** Ages kept for the finding's text: a long loop's history stays bounded. */
const AGES_SHOWN = 4;

/** A site that grew until each of the latest processes ended. */
export interface CarriedGrowth {
  /** How many consecutive processes ended while the site grew, held. */
  processes: number;
  /** The latest of their ages (minutes) when last judged, oldest first (at most AGES_SHOWN). */
  endAges: number[];
  /**
   * The process that ended had raised the site as a leak past its warm-up
   * and the warning was still open at its end; its age then (minutes). Such
   * a site carries no held processes (`processes` 0).
   */
  leakedAtAge?: number;
}

/**
 * The sites to carry out of a process that ended: those that grew steadily
 * in its warm-up up to its last judgement (at `lastJudgedMs`), held or
 * raised by this rule, each with the count it had carried in plus one (a
 * site that was not growing so at the end breaks its chain); and those
 * whose leak warning (`openWarnings`, the findings still open then) the
 * process had raised past its warm-up.
 */
export function carryOver(lastDetections: readonly Detection[], lastJudgedMs: number, carriedIn: ReadonlyMap<string, CarriedGrowth>, openWarnings: readonly Detection[] = []): Map<string, CarriedGrowth> {
  const out = new Map<string, CarriedGrowth>();
  for (const d of lastDetections) {
    const hold = d.evidence.hold;
    const age = d.evidence.processAgeMinutes;
    // Held because the process was young, not because growth past the warm-up went unconfirmed.
    const heldYoung = hold !== undefined && Date.parse(hold.until) > lastJudgedMs;
    if (!heldYoung && d.evidence.crashLoop === undefined) continue;
    const before = carriedIn.get(d.key);
    out.set(d.key, {
      processes: (before?.processes ?? 0) + 1,
      endAges: [...(before?.endAges ?? []), ...(age === undefined ? [] : [age])].slice(-AGES_SHOWN),
    });
  }
  return withOpenWarnings(out, openWarnings);
}

/**
 * `carried` plus the leak warnings still open when the process ended (the
 * finding tracker keeps a warning open while the site has not been shown to
 * stop growing: one evaluation that read the growth as slowing does not
 * close it). One raised by the crash-loop rule is carried by its chain
 * instead. Alone (not through carryOver) for a process this run of the
 * daemon never judged: an earlier run did, and left its warnings open.
 */
export function withOpenWarnings(carried: ReadonlyMap<string, CarriedGrowth>, openWarnings: readonly Detection[]): Map<string, CarriedGrowth> {
  const out = new Map(carried);
  for (const f of openWarnings) {
    if (f.severity === 'info' || f.evidence.crashLoop !== undefined || out.has(f.key)) continue;
    const age = f.evidence.processAgeMinutes;
    if (age !== undefined) out.set(f.key, { processes: 0, endAges: [], leakedAtAge: age });
  }
  return out;
}

/** Whether a site held in the warm-up has grown until enough earlier processes ended. */
export function outlivedItsProcesses(carried: CarriedGrowth | undefined): carried is CarriedGrowth {
  return carried !== undefined && carried.processes >= CRASH_LOOP_PROCESSES;
}

/** Whether the process before raised this site as a leak, its warning still open when that process ended. */
export function leakedInLastProcess(carried: CarriedGrowth | undefined): carried is CarriedGrowth & { leakedAtAge: number } {
  return carried?.leakedAtAge !== undefined;
}

/** The detection as raised in the warm-up of a process whose predecessor leaked at the same site: its own severity, and why it was not held. */
export function asLeakedBefore(d: Detection, carried: CarriedGrowth & { leakedAtAge: number }): Detection {
  const why = `it leaked here in the process before this one (a ${d.severity} there, still growing when it ended at ${carried.leakedAtAge} min old)`;
  return {
    ...d,
    summary: `${d.summary}; ${why}`,
    evidence: { ...d.evidence, leakedBefore: { ageMinutes: carried.leakedAtAge }, note: `not held for the warm-up: ${why}` },
  };
}

/** The detection as raised in the warm-up of a crash loop: its own severity, and why it was not held. */
export function asCrashLoop(d: Detection, carried: CarriedGrowth): Detection {
  const n = carried.endAges.length;
  const ages = n === 0 ? '' : n < carried.processes ? `, the latest ${n} at ${listOf(carried.endAges)} min old` : `, at ${listOf(carried.endAges)} min old`;
  const why = `it grew like this until each of the last ${carried.processes} processes ended${ages}, inside their warm-up (a crash loop?)`;
  return {
    ...d,
    summary: `${d.summary}; ${why}`,
    evidence: { ...d.evidence, crashLoop: carried, note: `not held for the warm-up: ${why}` },
  };
}

function listOf(ages: readonly number[]): string {
  return ages.length < 2 ? `${ages[0]}` : `${ages.slice(0, -1).join(', ')} and ${ages.at(-1)}`;
}
