/**
 * What one evaluation reports of one growing allocation site (Detection),
 * and its other readings: a cache filling up, growth held through a
 * process's warm-up, a module version known to leak. The finding tracker
 * (findings.ts) turns repeated detections into a Finding with a lifecycle.
 */
import { describeAllocation, type AllocContext, type KeptShares } from './alloc.js';
import { moduleVersion, type ProcessContext } from './classify.js';
import { FILLING_CACHE, LEAK_CLASSES, VULNERABLE_VERSIONS, type LeakClassId, type Severity } from './classes.js';
import type { CarriedGrowth } from './crash-loop.js';
import { formatRate } from './format.js';
import type { Group } from './groups.js';
import { containerInsert, type Holder } from './holders.js';
import type { DetectParams } from './params.js';
import type { TrendVerdict } from './trend.js';
import { compareVersions } from '../pprof/names.js';

/** What a detection reads of the process besides the site itself. */
export interface ProcessView {
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
  /** How many of the profiles' stacks a stack id stands for (more than one for a site summed per owner: session.ts). */
  stacksIn?: (stackId: number) => number;
  /** A container insert frame (holders.ts) under a site's owner in any of the stacks summed into it. */
  containerOf?: (stackId: number) => string | undefined;
}

const MINUTE = 60_000;

/** One growing allocation site found by one evaluation. The finding tracker (findings.ts) turns repeated detections into a Finding with a lifecycle. */
export interface Detection {
  /** Identity within the epoch: class + function. */
  key: string;
  classId: LeakClassId;
  severity: Severity;
  title: string;
  function: string;
  /** What is wrong, without the rate: "server keeps Request field 2 (Kitex)". */
  headline: string;
  /** The stack with the largest growth in the group, leaf first. */
  stack: string[];
  growthBytes: number;
  bytesPerHour: number;
  summary: string;
  remediation: string;
  docUrl: string;
  evidence: Evidence;
}

/** Why a detection was made, for the finding and the API: versions, the matched frames and the trend statistics. */
export interface Evidence {
  versions: Record<string, string>;
  meanObjectBytes?: number;
  matchedFrames: string[];
  stacks: number;
  pValue?: number;
  windowMinutes?: number;
  /** The horizon the growth was judged over. */
  horizonMinutes?: number;
  /** Estimated process age at the evaluation. */
  processAgeMinutes?: number;
  /** "allocates 3.1 MB/min, keeps 40 MB/h" */
  allocation?: string;
  allocBytesPerMinute?: number;
  /** Growth as a share of what the site allocates. */
  keptShare?: number;
  /** The class the growth escalates to (cache-filling findings). */
  escalatesTo?: LeakClassId;
  /**
   * Growth that would be a leak warning, held at `info` because the process
   * is in its warm-up: why, and when (ISO time) the hold ends. Findings
   * escalate to the class's severity once it ends and the growth continues.
   */
  hold?: { reason: string; until: string };
  /**
   * Raised in the warm-up, not held: the site grew, held, until each of the
   * latest processes ended inside its own warm-up (crash-loop.ts).
   */
  crashLoop?: CarriedGrowth;
  /**
   * Raised in the warm-up (or before its growth was confirmed past it), not
   * held: the process before this one raised the same site as a leak and it
   * still grew when that process ended (crash-loop.ts).
   */
  leakedBefore?: { ageMinutes: number };
  /** A container's insert (sync.Map) that allocated some of the site's growth under its owner: the site may hold another leak's objects. */
  storedBy?: string;
  /** The code that keeps a held-object leak's objects, when a container's growth names it (holders.ts). */
  holder?: Holder;
  /**
   * A risk seen in peaks, not growth (large-requests.ts): the most memory
   * the buffers held at one profile, when, their share of the heap then, how
   * many profiles showed them and the latest (ISO times).
   */
  risk?: { peakBytes: number; peakAt: string; heapShare: number; profiles: number; lastAt: string };
  /** When (ISO time) a held finding escalated to its class's severity (set by findings.ts). */
  escalatedAt?: string;
  note?: string;
}

/** The growth of site `g` as one evaluation judged it over one horizon. */
export function detectionOf(state: ProcessView, g: Group, verdict: TrendVerdict, alloc: AllocContext | undefined, horizonMinutes: number, age: number | undefined, meanObjectBytes: number | undefined): Detection {
  const { classification, members } = g;
  const top = members.reduce((a, b) => (b.stack.growthBytes > a.stack.growthBytes ? b : a));
  const { cls, facts } = classification;
  return {
    key: g.key,
    classId: classification.classId,
    severity: cls.severity,
    title: cls.title,
    function: facts.function,
    stack: [...top.stack.frames],
    growthBytes: Math.round(verdict.growthBytes),
    bytesPerHour: Math.round(verdict.slopePerHour),
    headline: cls.summary(facts),
    summary: `${cls.summary(facts)}, growing ${formatRate(verdict.slopePerHour)}`,
    remediation: cls.remediation,
    docUrl: cls.docUrl,
    evidence: {
      versions: relevantVersions(state),
      meanObjectBytes: meanObjectBytes === undefined ? undefined : Math.round(meanObjectBytes),
      matchedFrames: classification.matchedFrames,
      stacks: members.reduce((n, m) => n + (state.stacksIn?.(m.id) ?? 1), 0),
      storedBy: members.map((m) => state.containerOf?.(m.id) ?? containerInsert(m.stack.frames, facts.function)).find((c) => c !== undefined),
      pValue: verdict.pValue,
      windowMinutes: Math.round(verdict.spanMs / MINUTE),
      horizonMinutes,
      processAgeMinutes: age,
      ...(alloc
        ? { allocation: describeAllocation(alloc, verdict.slopePerHour), allocBytesPerMinute: Math.round(alloc.allocBytesPerMinute), keptShare: Number(alloc.keptShare.toFixed(3)) }
        : {}),
    },
  };
}

/**
 * The same growth, reported as a cache filling up (info) rather than a leak:
 * its rate keeps falling, or it keeps a falling share of what it allocates
 * (`shares`, first and last third: it replaces entries as it nears a bound).
 */
export function asFilling(d: Detection, shares?: KeptShares, slowerThanWhenFound = false, rateBeforeFirstSight?: number): Detection {
  const pct = (x: number): string => `${Math.round(Math.min(1, Math.max(0, x)) * 100)} %`;
  const why = shares
    ? { summary: `keeps ${pct(shares.last)} of what it allocates, down from ${pct(shares.first)}`, note: 'keeps a falling share of what it allocates: nearing a bound' }
    : rateBeforeFirstSight !== undefined
      ? { summary: `${formatRate(d.bytesPerHour)}, down from ${formatRate(rateBeforeFirstSight)} before it was first watched`, note: 'first watched past its warm-up, with more in use than its rate since could have built: it grew faster before' }
      : slowerThanWhenFound
        ? { summary: `${formatRate(d.bytesPerHour)}, not back to its rate before it slowed`, note: 'has not regained the rate of the window before it was found filling (a window later: of the window before the latest)' }
        : { summary: `${formatRate(d.bytesPerHour)} and falling`, note: 'growth rate keeps falling' };
  return {
    ...d,
    key: `${FILLING_CACHE.id}|${d.function}`,
    classId: FILLING_CACHE.id,
    severity: 'info',
    title: FILLING_CACHE.title,
    headline: `${d.function} is filling up`,
    summary: `${d.function}: filling, slowing down (${why.summary})`,
    remediation: FILLING_CACHE.remediation,
    docUrl: FILLING_CACHE.docUrl,
    evidence: { ...d.evidence, escalatesTo: d.classId, note: why.note },
  };
}

/**
 * The same growth, with its leak class, held at `info` during the process's
 * warm-up: a leak that starts with its process and a cache filling at a
 * constant rate in its first `warmupMs` show the same inuse and alloc
 * signals, so neither is a warning yet, and neither is hidden. The finding
 * tracker escalates the same finding once the growth continues past it.
 */
export function asHeld(d: Detection, warmupEnd: number, now: number, params: DetectParams): Detection {
  const warmup = Math.round(params.warmupMs / MINUTE);
  const until = new Date(warmupEnd).toISOString();
  const age = d.evidence.processAgeMinutes ?? '?';
  const young = now < warmupEnd;
  const reason = young
    ? `growing since the process started (${age} min ago) at a steady rate; held at info until the process is ${warmup} min old (${until}), since a warm-up cache fill looks the same (detect.warmup, which a target may set for itself)`
    : `growing since the process's first ${warmup} min; held at info until the growth is confirmed to continue after the warm-up ended (${until}), since a warm-up cache fill looks the same (detect.warmup, which a target may set for itself)`;
  // Past the warm-up the hold's end is behind: what still holds it is the confirmation.
  const holdsUntil = young ? `until the process is ${warmup} min old (${until})` : `until its growth goes on at its rate after the warm-up (ended ${until})`;
  return {
    ...d,
    severity: 'info',
    summary: `${d.summary}; held at info ${holdsUntil}, then a ${d.severity} if it keeps growing`,
    evidence: { ...d.evidence, hold: { reason, until } },
  };
}

/** A known-leaky module version is worth an `info` finding before any growth shows. */
export function versionDetections(state: ProcessView): Detection[] {
  const ctx: ProcessContext = { modules: state.modules, functions: state.functions, growing: [] };
  const out: Detection[] = [];
  for (const v of VULNERABLE_VERSIONS) {
    const version = moduleVersion(v.module, ctx);
    if (!version || compareVersions(version, v.below) >= 0) continue;
    out.push({
      key: `${v.classId}|${v.module}@${version}`,
      classId: v.classId,
      severity: 'info',
      title: `Vulnerable module version: ${v.module}@${version}`,
      function: `${v.module}@${version}`,
      stack: [],
      growthBytes: 0,
      bytesPerHour: 0,
      headline: `${v.module}@${version} has a known leak bug`,
      summary: `${v.note}; this process runs ${version} (no growth seen yet)`,
      remediation: 'Upgrade Kitex to >= v0.3.3 (netpoll >= v0.2.5) before the leak shows.',
      docUrl: LEAK_CLASSES.find((c) => c.id === v.classId)?.docUrl ?? '', // the class row's: the anchor is written once
      evidence: { versions: { [v.module]: version }, matchedFrames: [], stacks: 0, note: 'version only' },
    });
  }
  return out;
}

const CLOUDWEGO = /^github\.com\/(?:cloudwego|bytedance)\//;

function relevantVersions(state: ProcessView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [m, v] of state.modules) if (CLOUDWEGO.test(m)) out[m] = v;
  return out;
}
