/**
 * Runs the detectors after each stored profile without holding up scraping:
 * profiles are queued and evaluated one target at a time, yielding to the
 * event loop between them. One DetectionSession per target, seeded at
 * start-up with the target's open findings from the store.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { detectParamsOver, horizonsOf, type DetectParams } from '../detect/params.js';
import type { ProfileOrigin } from '../targets/origin.js';
import type { Staleness } from '../detect/stale.js';
import type { Finding, FindingEvent } from '../detect/findings.js';
import { DetectionSession } from '../detect/session.js';
import type { Logger } from '../log.js';
import type { CarryStore } from '../store/carry.js';
import type { FindingStore } from '../store/findings.js';
import type { StoreReader } from '../store/reader.js';
import type { IngestedProfile } from './ingest.js';
import { GoroutineSession } from '../detect/goroutine.js';
import { functionValues } from '../pprof/aggregate.js';
import { sampleColumns, type HeapProfile } from '../pprof/profile.js';
import { pointProfile, type GoroutineSeries } from '../store/goroutine-reader.js';
import type { IngestedGoroutines } from './goroutine-ingest.js';

/** Cum inuse bytes per function of a heap profile. */
function cumInuse(profile: HeapProfile): Map<string, number> {
  const index = sampleColumns(profile).inuse_space;
  return new Map(index < 0 ? [] : functionValues(profile, index).map((f) => [f.name, f.cum] as const));
}

/** goroutine-leak findings belong to the goroutine session; every other class to the heap session. */
const isGoroutineFinding = (f: Finding): boolean => f.classId === 'goroutine-leak';

/** Where findings are read at start-up and saved: the store's FindingStore, or a fake. */
export type FindingSink = Pick<FindingStore, 'openOf' | 'save'>;

/** What the detector runner needs: narrow interfaces, so unit tests pass fakes. */
export interface DetectorDeps {
  findings: FindingSink;
  /** What detection carries from a target's ended processes, kept across daemon restarts (store/carry.ts). */
  carry: Pick<CarryStore, 'carryOf' | 'save'>;
  /** Stored history, to resume a target's window after a daemon restart. */
  reader: Pick<StoreReader, 'stackHistory'>;
  params: DetectParams;
  log: Logger;
  /** Called with every finding event after it is stored (metrics, tests). */
  onEvent?: (targetKey: string, event: FindingEvent) => void;
  /** Stored goroutine counts, to resume a target's goroutine window after a daemon restart (store/goroutine-reader.ts). */
  goroutineHistory?: (targetKey: string, kind: 'goroutine' | 'goroutineleak', sinceMs: number) => GoroutineSeries;
}

interface Entry {
  targetId: number;
  session: DetectionSession;
  /** The parameters the session started with, as JSON: when a reload changes them, the session restarts (#current). */
  params: string;
  /** The last staleness logged: mostly stale or not. */
  mostlyStale: boolean;
  /** The process whose carry was saved last (a new one is saved when a process starts). */
  carriedInto?: string;
}

/** Queues stored profiles and evaluates them one at a time, one DetectionSession per origin. */
export class DetectorRunner {
  readonly #deps: DetectorDeps;
  readonly #sessions = new Map<string, Entry>();
  /** Per target: goroutine and goroutineleak detection (detect/goroutine.ts), with its own findings. */
  readonly #goroutineSessions = new Map<string, { targetId: number; session: GoroutineSession; params: string }>();
  /** Per target with goroutine detection: cum inuse bytes per function at its latest heap profile. */
  readonly #heapByFunction = new Map<string, Map<string, number>>();
  readonly #queue: (IngestedProfile | IngestedGoroutines)[] = [];
  #draining: Promise<void> | undefined;
  #params: DetectParams;

  constructor(deps: DetectorDeps) {
    this.#deps = deps;
    this.#params = deps.params;
  }

  /** Queues a stored profile; never blocks the caller. */
  enqueue(ingested: IngestedProfile): void {
    if (ingested.life?.forgotten) return;
    // Stale profiles queue too: the last judgement they repeat must be the
    // one of the profile before them, not of one still queued.
    this.#queue.push(ingested);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Queues a stored goroutine or goroutineleak profile. */
  enqueueGoroutines(ingested: IngestedGoroutines): void {
    if (ingested.life?.forgotten) return;
    this.#queue.push(ingested);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Resolves when everything queued so far has been evaluated. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /**
   * A reload's global parameters. A target whose parameters this changes
   * restarts its detection session at its next changed profile, from stored
   * history and open findings, as a daemon restart does: nothing is lost.
   */
  applyParams(params: DetectParams): void {
    this.#params = params;
  }

  /** The parameters this origin is judged by: its own `detect:` settings over the global ones. */
  #paramsFor(origin: ProfileOrigin): DetectParams {
    return origin.detect ? detectParamsOver(this.#params, origin.detect) : this.#params;
  }

  /** The target's session, unless a reload changed its parameters since it started (then it starts again). */
  #current<E extends { params: string }>(sessions: Map<string, E>, targetKey: string, params: string): E | undefined {
    const entry = sessions.get(targetKey);
    if (entry === undefined || entry.params === params) return entry;
    sessions.delete(targetKey);
    this.#deps.log.info({ target: targetKey }, 'detection settings changed: detection restarts from stored history');
    return undefined;
  }

  /**
   * The target left the config: resolve its open findings. Its profiles
   * still queued are dropped when their turn comes: they carry the origin's
   * life, which the pipeline marks forgotten before calling this.
   */
  forget(targetKey: string, now = Date.now()): void {
    this.#heapByFunction.delete(targetKey);
    const g = this.#goroutineSessions.get(targetKey);
    if (g) {
      this.#goroutineSessions.delete(targetKey);
      this.#store(targetKey, g.targetId, g.session.endEpoch(now, 'target removed'));
    }
    const s = this.#sessions.get(targetKey);
    if (!s) return;
    this.#sessions.delete(targetKey);
    this.#store(targetKey, s.targetId, s.session.end(now, 'target removed'));
  }

  /** How stale the target's profiles were over the last hour (undefined before its first profile). */
  staleness(targetKey: string, now = Date.now()): Staleness | undefined {
    return this.#sessions.get(targetKey)?.session.staleness(now);
  }

  /** Says once when a target becomes mostly stale, and once when it no longer is. */
  #logStaleness(targetKey: string, entry: Entry, now: number): void {
    const s = entry.session.staleness(now);
    const mostly = s.note !== undefined;
    if (mostly === entry.mostlyStale) return;
    entry.mostlyStale = mostly;
    if (mostly) this.#deps.log.warn({ target: targetKey, stale_share: s.share, suggestion: 'params: { gc: 1 }' }, `target mostly stale: ${s.note}`);
    else this.#deps.log.info({ target: targetKey, stale_share: s.share }, 'target no longer mostly stale');
  }

  /** Open findings of one target (cheap: one session), or of all targets. */
  open(targetKey?: string): (Finding & { targetKey: string })[] {
    const pick = <T>(m: Map<string, T>): (readonly [string, T])[] => (targetKey === undefined ? [...m] : m.has(targetKey) ? [[targetKey, m.get(targetKey)!] as const] : []);
    return [
      ...pick(this.#sessions).flatMap(([key, s]) => s.session.open().map((f) => ({ ...f, targetKey: key }))),
      ...pick(this.#goroutineSessions).flatMap(([key, s]) => s.session.open().map((f) => ({ ...f, targetKey: key }))),
    ];
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      try {
        if ('kind' in next) this.#evaluateGoroutines(next);
        else this.#evaluate(next);
      } catch (err) {
        this.#deps.log.error({ err, target: next.target.url }, 'detection failed for this profile');
      }
      await yieldToLoop();
    }
  }

  #evaluate({ target, startedAt, profile, stored, life }: IngestedProfile): void {
    // Queued before its origin was forgotten: evaluating it would open a session nothing forgets.
    if (life?.forgotten) return;
    if (stored.transition === 'stale') {
      // No GC since the last scrape: nothing new to judge, but counted, and
      // the last judgement holds on (session.ts: observeStale).
      const entry = this.#sessions.get(target.key);
      const t = profile.timeMs || startedAt;
      if (entry) {
        this.#store(target.key, entry.targetId, entry.session.observeStale(t));
        this.#logStaleness(target.key, entry, t);
      }
      return;
    }
    const params = this.#paramsFor(target);
    const paramsKey = JSON.stringify(params);
    let entry = this.#current(this.#sessions, target.key, paramsKey);
    if (!entry) {
      const session = new DetectionSession(params, this.#deps.findings.openOf(stored.targetId).filter((f) => !isGoroutineFinding(f)));
      const carry = this.#deps.carry.carryOf(stored.targetId, stored.epochId);
      if (carry) session.restoreCarry(carry);
      if (stored.transition === 'same_epoch') {
        // A daemon restart, or new settings, in the middle of an epoch:
        // resume its window. Every horizon's history, including
        // downsampled scrapes older than a day.
        const from = (profile.timeMs || startedAt) - Math.max(...horizonsOf(params));
        session.seed(String(stored.epochId), this.#deps.reader.stackHistory(stored.epochId, from, stored.scrapeId));
      }
      entry = { targetId: stored.targetId, session, params: paramsKey, mostlyStale: false, carriedInto: carry?.epoch };
      this.#sessions.set(target.key, entry);
    }
    const t = profile.timeMs || startedAt;
    // What a goroutine finding of this target reports as held heap: only for targets that send goroutine profiles.
    if (this.#goroutineSessions.has(target.key)) this.#heapByFunction.set(target.key, cumInuse(profile));
    this.#store(target.key, entry.targetId, entry.session.observe(String(stored.epochId), t, profile));
    this.#saveCarry(entry);
    this.#logStaleness(target.key, entry, t);
  }

  #evaluateGoroutines({ target, kind, startedAt, profile, stored, life }: IngestedGoroutines): void {
    if (life?.forgotten) return;
    const params = this.#paramsFor(target);
    const paramsKey = JSON.stringify(params);
    let entry = this.#current(this.#goroutineSessions, target.key, paramsKey);
    if (!entry) {
      entry = { targetId: stored.targetId, session: new GoroutineSession(params, this.#deps.findings.openOf(stored.targetId).filter(isGoroutineFinding)), params: paramsKey };
      this.#goroutineSessions.set(target.key, entry);
      this.#resumeGoroutines(target.key, entry.targetId, entry.session, stored.scrapeId, (profile.timeMs || startedAt) - params.windowMs);
    }
    // The heap session dates the process (its allocation counters); else the warm-up counts from the first goroutine profile.
    const processStart = this.#sessions.get(target.key)?.session.processStartMs();
    const heap = this.#heapByFunction.get(target.key);
    const events = entry.session.observe(kind, String(stored.epochId ?? 0), profile.timeMs || startedAt, profile, processStart, heap && ((fn) => heap.get(fn)));
    this.#store(target.key, entry.targetId, events);
  }

  /**
   * A daemon restart in the middle of an epoch: replay the window's stored
   * goroutine counts (both kinds, in time order, the current fetch excluded),
   * so a pile's growth is judged over its whole window again at once.
   */
  #resumeGoroutines(targetKey: string, targetId: number, session: GoroutineSession, currentScrapeId: number, sinceMs: number): void {
    const history = this.#deps.goroutineHistory;
    if (!history) return;
    const points = (['goroutine', 'goroutineleak'] as const)
      .flatMap((kind) => {
        const s = history(targetKey, kind, sinceMs);
        return s.points.filter((p) => p.scrapeId !== currentScrapeId).map((p) => ({ kind, p, profile: pointProfile(p, s.frames, kind) }));
      })
      .sort((a, b) => a.p.t - b.p.t);
    for (const { kind, p, profile } of points) this.#store(targetKey, targetId, session.observe(kind, String(p.epochId ?? 0), p.t, profile));
  }

  /** Once per process: what the session carried into it, for the next run of the daemon. */
  #saveCarry(entry: Entry): void {
    const carry = entry.session.carry();
    if (!carry || carry.epoch === entry.carriedInto) return;
    this.#deps.carry.save(entry.targetId, carry);
    entry.carriedInto = carry.epoch;
  }

  #store(targetKey: string, targetId: number, events: FindingEvent[]): void {
    for (const e of events) {
      this.#deps.findings.save(targetId, e.finding);
      if (e.type !== 'updated') {
        this.#deps.log.info(
          { target: targetKey, class: e.finding.classId, severity: e.finding.severity, function: e.finding.function, state: e.finding.state },
          e.type === 'opened' ? `finding: ${e.finding.summary}` : `finding resolved: ${e.finding.resolvedReason}`,
        );
      }
      this.#deps.onEvent?.(targetKey, e);
    }
  }
}
