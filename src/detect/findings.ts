/**
 * Turns a stream of per-evaluation detections into findings with a lifecycle:
 *
 *   (condition holds) --forMs--> open --(no growth for resolveAfterMs)--> resolved
 *                                     --(epoch ends)-----------------------> resolved
 *
 * Repeated detections update the open finding; they never duplicate it.
 * `info` findings (a vulnerable version) open at once. Pure state machine:
 * the daemon persists what it emits, `analyze` just collects it.
 */
import type { LeakClassId, Severity } from './classes.js';
import type { Detection, Evidence } from './engine.js';
import type { DetectParams } from './params.js';

/** A leak reported to the user, with the lifecycle above: opened, updated while it grows, resolved. */
export interface Finding {
  key: string;
  epoch: string;
  class: LeakClassId;
  severity: Severity;
  title: string;
  function: string;
  headline: string;
  stack: string[];
  growth_bytes: number;
  bytes_per_hour: number;
  /** Profile time (ms) at which the finding was raised. */
  detected_at: number;
  /** Profile time (ms) the condition was last seen holding. */
  last_seen_at: number;
  state: 'open' | 'resolved';
  resolved_at: number | null;
  resolved_reason: string | null;
  evidence: Evidence;
  summary: string;
  remediation: string;
  doc_url: string;
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

  /** Feeds one evaluation of `epoch` at profile time `t`. */
  update(epoch: string, t: number, detections: readonly Detection[]): FindingEvent[] {
    const events: FindingEvent[] = [];
    if (this.#epoch !== undefined && this.#epoch !== epoch) events.push(...this.endEpoch(t));
    this.#epoch = epoch;
    const seen = new Set<string>();
    for (const d of detections) {
      seen.add(d.key);
      const open = this.#open.get(d.key);
      if (open) {
        Object.assign(open, fromDetection(d, epoch, open.detected_at), { last_seen_at: t });
        events.push({ type: 'updated', finding: { ...open } });
        continue;
      }
      const pending = this.#pending.get(d.key) ?? { since: t };
      this.#pending.set(d.key, pending);
      // Growth already held as a filling cache for longer than `for` escalates at once.
      const filling = d.severity === 'info' ? undefined : this.#open.get(`cache-filling|${d.function}`);
      const immediate = (d.severity === 'info' && d.classId !== 'cache-filling') || filling !== undefined;
      if (immediate || t - pending.since >= this.#params.forMs) {
        const f: Finding = { ...fromDetection(d, epoch, t), last_seen_at: t };
        this.#open.set(d.key, f);
        this.#pending.delete(d.key);
        events.push({ type: 'opened', finding: { ...f } });
        if (filling) events.push(this.#resolve(filling.key, filling, t, `escalated to ${d.classId}`));
      }
    }
    for (const key of [...this.#pending.keys()]) if (!seen.has(key)) this.#pending.delete(key);
    for (const [key, f] of this.#open) {
      if (seen.has(key)) continue;
      if (t - f.last_seen_at >= this.#params.resolveAfterMs) {
        events.push(this.#resolve(key, f, t, 'growth stopped'));
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

  open(): Finding[] {
    return [...this.#open.values()].map((f) => ({ ...f }));
  }

  #resolve(key: string, f: Finding, t: number, reason: string): FindingEvent {
    this.#open.delete(key);
    return { type: 'resolved', finding: { ...f, state: 'resolved', resolved_at: t, resolved_reason: reason } };
  }
}

function fromDetection(d: Detection, epoch: string, detectedAt: number): Omit<Finding, 'last_seen_at'> {
  return {
    key: d.key,
    epoch,
    class: d.classId,
    severity: d.severity,
    title: d.title,
    function: d.function,
    headline: d.headline,
    stack: d.stack,
    growth_bytes: d.growthBytes,
    bytes_per_hour: d.bytesPerHour,
    detected_at: detectedAt,
    state: 'open',
    resolved_at: null,
    resolved_reason: null,
    evidence: d.evidence,
    summary: d.summary,
    remediation: d.remediation,
    doc_url: d.docUrl,
  };
}
