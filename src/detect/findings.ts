/**
 * Turns a stream of per-evaluation detections into findings with a lifecycle:
 *
 *   (condition holds) --forMs--> open --(growth stopped, resolveAfterMs)--> resolved
 *                                     --(epoch ends)------------------------> resolved
 *
 * Repeated detections update the open finding; they never duplicate it. A
 * warning whose condition has not held for `resolveAfterMs` resolves only
 * once the caller no longer lists it as still growing (hysteresis.ts: the
 * strict checks that raise a finding failing now and then on a noisy, slow
 * leak is no evidence that it stopped).
 * Growth in a process's warm-up is held at `info` with its leak class
 * (engine.ts); when the hold ends and the growth goes on, the same finding
 * escalates to its class's severity (evidence.escalatedAt), and if it
 * plateaus first, it resolves ('plateaued'). A filling cache's info finding
 * escalates the same way, into a new finding of the leak class; in the
 * warm-up, into the held finding of that class once the growth reads as
 * steady for `for` on end.
 * `info` findings of a vulnerable version open at once. Pure state machine:
 * the daemon persists what it emits, `analyze` just collects it.
 */
import type { LeakClassId } from './classes.js';
import type { Detection } from './detection.js';
import { withHolder } from './holders.js';
import type { DetectParams } from './params.js';

/**
 * A leak reported to the user, with the lifecycle above: opened, updated while it grows, resolved.
 * Field names are camelCase inside the program, like Detection's (`classId`, not `class`); the
 * snake_case names (`class`, `growth_bytes`, `detected_at`, ...) exist only at the edges: the SQL
 * row (store/findings.ts), the HTTP JSON (api/finding-json.ts) and `analyze --json` (cli/analyze.ts).
 */
export interface Finding extends Detection {
  /** The epoch (process lifetime) the finding belongs to, as a string id. */
  epoch: string;
  /** Profile time (ms) at which the finding was raised. */
  detectedAt: number;
  /** Profile time (ms) the condition was last seen holding. */
  lastSeenAt: number;
  state: 'open' | 'resolved';
  resolvedAt: number | null;
  resolvedReason: string | null;
}

/** A change of a finding's state, for the store and the logs. */
export type FindingEvent = { type: 'opened' | 'updated' | 'resolved'; finding: Finding };

interface Pending {
  since: number;
}

/** The findings lifecycle of one target (see above); one per detection session. */
export class FindingTracker {
  readonly #params: Pick<DetectParams, 'forMs' | 'resolveAfterMs'>;
  readonly #open = new Map<string, Finding>();
  readonly #pending = new Map<string, Pending>();
  #epoch: string | undefined;

  constructor(params: Pick<DetectParams, 'forMs' | 'resolveAfterMs'>, open: Finding[] = []) {
    this.#params = params;
    for (const f of open) {
      this.#open.set(f.key, f);
      this.#epoch = f.epoch;
    }
  }

  /**
   * Feeds one evaluation of `epoch` at profile time `t`. `stillGrowing`: keys
   * of open findings not detected now whose growth has not been shown to stop
   * (they stay open).
   */
  update(epoch: string, t: number, detections: readonly Detection[], stillGrowing: ReadonlySet<string> = NO_KEYS): FindingEvent[] {
    const events: FindingEvent[] = [];
    if (this.#epoch !== undefined && this.#epoch !== epoch) events.push(...this.endEpoch(t));
    this.#epoch = epoch;
    const seen = new Set<string>();
    const clocks = new Set<string>();
    // A site held as a leak is not also "filling" while its warning is open
    // (the engine drops the pair within one evaluation; this spans them).
    const leaking = new Set([...this.#open.values()].filter((f) => f.severity !== 'info').map((f) => f.function));
    for (const d of detections) {
      if (d.classId === 'cache-filling' && leaking.has(d.function)) continue;
      const open = this.#open.get(d.key);
      // A warning is never held back to info (a noisy check after the
      // warm-up): its growth is judged by the hysteresis, as if unseen.
      if (open && open.severity !== 'info' && isHeld(d)) continue;
      // While a cache (or a leak) warms up, its evaluations take turns at
      // "held" and "filling, slowing down": one `for` clock per site for both.
      const clock = isGrowthInfo(d) ? `info|${d.function}` : d.key;
      const pending = this.#pending.get(clock) ?? { since: t };
      this.#pending.set(clock, pending);
      clocks.add(clock);
      if (open) {
        seen.add(d.key);
        // The warm-up hold ended and the growth went on: the same finding escalates.
        const escalatedAt = isHeld(open) && !isHeld(d) ? new Date(t).toISOString() : open.evidence.escalatedAt;
        // Why it was not held stays with the finding once the warm-up is over.
        const notHeld = raisedInWarmup(open) ?? raisedInWarmup(d);
        const holder = open.evidence.holder;
        Object.assign(open, fromDetection(d, epoch, open.detectedAt), { lastSeenAt: t });
        if (escalatedAt) open.evidence = { ...open.evidence, escalatedAt };
        if (notHeld) open.evidence = { ...open.evidence, ...notHeld };
        // The holder, once named, stays named: its own growth is slower and noisier than the leak's.
        if (holder && !open.evidence.holder) Object.assign(open, withHolder(open, holder));
        events.push({ type: 'updated', finding: { ...open } });
        continue;
      }
      // The site's open info finding stands until it resolves or escalates,
      // or until the growth has read the other way for `for` on end: held in
      // the warm-up and now slowing down, it is a filling cache; filling and
      // now steady again while the process is still young, it is the held
      // leak of its class. Both turns need `for` on end, so a cache whose
      // evaluations take turns keeps one finding. Past the warm-up a filling
      // finding changes only by escalating: a hold then says "not confirmed
      // after the warm-up", which is no news over "filling".
      const siteInfo = [...this.#open.values()].find((f) => isGrowthInfo(f) && f.function === d.function);
      let turned: string | undefined;
      if (siteInfo && isGrowthInfo(d)) {
        const slowing = isHeld(siteInfo) && d.classId === 'cache-filling';
        const steadyAgain = siteInfo.classId === 'cache-filling' && isHeld(d) && t < Date.parse(d.evidence.hold!.until);
        if (!slowing && !steadyAgain) continue;
        const since = this.#pending.get(d.key) ?? { since: t };
        this.#pending.set(d.key, since);
        clocks.add(d.key);
        if (t - since.since < this.#params.forMs) continue;
        turned = slowing ? 'slowing down: a filling cache' : `growing steadily again: held as ${d.classId}`;
      }
      seen.add(d.key);
      // Growth already raised as info for longer than `for` escalates at
      // once: a filling cache whose slowing stopped, a held site now judged
      // under another class.
      const before = d.severity === 'info' && !turned ? undefined : siteInfo;
      // So does growth raised because it went on until each of the earlier
      // processes ended (crash-loop.ts): that is its persistence, over at
      // least `min_window` of each, and a process of a crash loop may not
      // live `for` past its first judgement.
      const immediate = (d.severity === 'info' && !isGrowthInfo(d)) || before !== undefined || d.evidence.crashLoop !== undefined;
      if (immediate || t - pending.since >= this.#params.forMs) {
        const f: Finding = { ...fromDetection(d, epoch, t), lastSeenAt: t };
        this.#open.set(d.key, f);
        if (!isGrowthInfo(d)) this.#pending.delete(clock);
        this.#pending.delete(d.key);
        events.push({ type: 'opened', finding: { ...f } });
        if (before) events.push(this.#resolve(before.key, before, t, turned ?? `escalated to ${d.classId}`));
      }
    }
    for (const key of [...this.#pending.keys()]) if (!clocks.has(key)) this.#pending.delete(key);
    for (const [key, f] of this.#open) {
      if (seen.has(key) || stillGrowing.has(key)) continue;
      if (t - f.lastSeenAt >= this.#params.resolveAfterMs) {
        events.push(this.#resolve(key, f, t, isHeld(f) ? 'plateaued' : f.evidence.risk ? 'no longer seen' : 'growth stopped'));
      }
    }
    return events;
  }

  /** Resolves everything: the process ended (restart, or the target left). */
  endEpoch(t: number, reason = 'epoch ended'): FindingEvent[] {
    const events = [...this.#open].map(([key, f]) => this.#resolve(key, f, t, reason));
    this.#pending.clear();
    return events;
  }

  /** Functions with an open "filling, slowing down" finding, and when (ms) it was raised. */
  fillingSince(): Map<string, number> {
    const out = new Map<string, number>();
    for (const f of this.#open.values()) if (f.classId === 'cache-filling') out.set(f.function, f.detectedAt);
    return out;
  }

  /** The classes of the open findings. */
  openClasses(): Set<LeakClassId> {
    return new Set([...this.#open.values()].map((f) => f.classId));
  }

  open(): Finding[] {
    return [...this.#open.values()].map((f) => ({ ...f }));
  }

  /**
   * Open warnings and critical findings that `detections` at `t` would
   * resolve: not detected for `resolveAfterMs`. The caller tells which of
   * them still grow (hysteresis.ts).
   */
  dueToResolve(t: number, detections: readonly Detection[]): Finding[] {
    // A held detection does not keep a warning open (update() skips it).
    const seen = (f: Finding): boolean => detections.some((d) => d.key === f.key && (f.severity === 'info' || !isHeld(d)));
    return [...this.#open.values()].filter((f) => (f.severity !== 'info' || isHeld(f)) && !seen(f) && t - f.lastSeenAt >= this.#params.resolveAfterMs);
  }

  #resolve(key: string, f: Finding, t: number, reason: string): FindingEvent {
    this.#open.delete(key);
    return { type: 'resolved', finding: { ...f, state: 'resolved', resolvedAt: t, resolvedReason: reason } };
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * When (profile time, ms) a finding became a warning or critical: its
 * escalation from a warm-up hold, else when it was raised; null for info.
 */
export function warnedAt(f: Finding): number | null {
  if (f.severity === 'info') return null;
  return f.evidence.escalatedAt ? Date.parse(f.evidence.escalatedAt) : f.detectedAt;
}

/** What raised a finding inside its process's warm-up instead of holding it (crash-loop.ts), if anything. */
function raisedInWarmup(d: Detection): Pick<Detection['evidence'], 'crashLoop' | 'leakedBefore' | 'note'> | undefined {
  const { crashLoop, leakedBefore, note } = d.evidence;
  return crashLoop || leakedBefore ? { crashLoop, leakedBefore, note } : undefined;
}

/** Growth held at info by the warm-up (detection.ts: asHeld), not yet escalated. */
function isHeld(x: Detection | Finding): boolean {
  return x.evidence.hold !== undefined && x.severity === 'info';
}

/** Growth reported as info: held by the warm-up, or a cache filling up. */
function isGrowthInfo(x: Detection | Finding): boolean {
  return x.classId === 'cache-filling' || isHeld(x);
}

function fromDetection(d: Detection, epoch: string, detectedAt: number): Omit<Finding, 'lastSeenAt'> {
  return {
    key: d.key,
    epoch,
    classId: d.classId,
    severity: d.severity,
    title: d.title,
    function: d.function,
    headline: d.headline,
    stack: d.stack,
    growthBytes: d.growthBytes,
    bytesPerHour: d.bytesPerHour,
    detectedAt,
    state: 'open',
    resolvedAt: null,
    resolvedReason: null,
    evidence: d.evidence,
    summary: d.summary,
    remediation: d.remediation,
    docUrl: d.docUrl,
  };
}
