/**
 * What both receivers share once a request is read: which profiles are kept,
 * which target each belongs to, the scrape-wins rule, the target cap, and the
 * hand-off to the ingest path. HTTP and protocol details live in routes.ts.
 */
import type { ErrorRecord } from '../errors.js';
import { HeapwatchError, toErrorRecord } from '../errors.js';
import type { Logger } from '../log.js';
import type { Target } from '../targets/target.js';
import { withoutAllocSampleTypes } from './delta.js';
import { KEPT_KINDS, metricTypeLabel } from './kinds.js';
import type { PushMetrics } from './metrics.js';
import type { ArrivalOutcome, ProfileKind, ProfileSink } from './pipeline-types.js';
import { identityOf, type PushedTargets } from './registry.js';

/** One pushed series, read and checked by its protocol. */
export interface PushedSeries {
  labels: Readonly<Record<string, string>>;
  /** Pyroscope profile type: `memory`, `process_cpu`, `godeltaprof_memory`, ... */
  typeName: string;
  /** alloc_* are deltas since the previous push (godeltaprof): see delta.ts. */
  allocIsDelta: boolean;
  profiles: Uint8Array[];
}

/** Where pushed profiles go: the pipeline (its `forget` is called by the registry's owner, not here). */
export type PushSink = Pick<ProfileSink, 'accept' | 'reject'>;

export interface ReceiverDeps {
  sink: PushSink;
  registry: PushedTargets;
  metrics: PushMetrics;
  log: Logger;
  /** The scraped targets, for the scrape-wins rule. */
  scraped: () => readonly Target[];
  maxDecompressedBytes: () => number;
  identityLabels: () => readonly string[];
}

/** How long the set of scraped service/instance pairs is reused before it is rebuilt. */
const SCRAPED_CACHE_MS = 5_000;

export class PushReceiver {
  readonly #deps: ReceiverDeps;
  #scraped: { at: number; pairs: Set<string> } | undefined;
  /** Identities already warned about (scrape wins): one log line each. */
  readonly #warnedOverlap = new Set<string>();

  constructor(deps: ReceiverDeps) {
    this.#deps = deps;
  }

  /**
   * Takes the series of one request. Returns the first error (for the
   * response) or undefined; every series that can be taken is taken.
   */
  async receive(series: readonly PushedSeries[], now: number): Promise<ErrorRecord | undefined> {
    const { registry, metrics } = this.#deps;
    const kept: { s: PushedSeries; kind: ProfileKind }[] = [];
    for (const s of series) {
      const k = KEPT_KINDS[s.typeName];
      if (!k) {
        metrics.profiles.inc({ type: metricTypeLabel(s.typeName), result: 'dropped_type' }, s.profiles.length);
        continue;
      }
      if (this.#scrapedAlready(s)) {
        metrics.profiles.inc({ type: metricTypeLabel(s.typeName), result: 'dropped_scraped' }, s.profiles.length);
        continue;
      }
      kept.push({ s, kind: k.kind });
    }
    // The cap is checked for the whole request before anything is created.
    const pending = new Set<string>();
    const admitted: typeof kept = [];
    let refused = 0;
    for (const item of kept) {
      const { key, ok } = registry.admits(item.s.labels, pending);
      if (!ok) {
        refused++;
        metrics.profiles.inc({ type: metricTypeLabel(item.s.typeName), result: 'dropped_target_cap' }, item.s.profiles.length);
        continue;
      }
      pending.add(key);
      admitted.push(item);
    }
    let firstError: ErrorRecord | undefined;
    for (const { s, kind } of admitted) {
      const target = registry.ensure(s.labels, now);
      for (const body of s.profiles) {
        const error = await this.#take(target, kind, s, body, now);
        firstError ??= error;
      }
    }
    metrics.targets.set(registry.size);
    if (refused > 0) {
      const e = new HeapwatchError('HW_ERR_PUSH_TOO_MANY_TARGETS', `${refused} new series refused: ${registry.size} pushed targets, push.max_targets reached`);
      return { code: e.code, message: e.message };
    }
    return firstError;
  }

  async #take(target: Target, kind: ProfileKind, s: PushedSeries, body: Uint8Array, now: number): Promise<ErrorRecord | undefined> {
    const { sink, registry, metrics, log } = this.#deps;
    const started = performance.now();
    let outcome: ArrivalOutcome;
    try {
      if (body.length === 0) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', 'empty profile');
      const profile = s.allocIsDelta ? await withoutAllocSampleTypes(body, this.#deps.maxDecompressedBytes()) : body;
      // A godeltaprof profile cannot show a restart (no running alloc totals): the session id does.
      const newProcess = registry.isNewSession(target.key, kind, s.labels.__session_id__);
      outcome = await sink.accept({ origin: target, kind, startedAt: now, durationMs: performance.now() - started, body: profile, newProcess });
    } catch (err) {
      outcome = sink.reject(target, kind, now, performance.now() - started, toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED'));
    }
    metrics.profiles.inc({ type: metricTypeLabel(s.typeName), result: outcome.ok ? 'stored' : 'error' });
    const restarted = registry.record(target.key, now, performance.now() - started, outcome, s.labels.__session_id__, kind);
    if (restarted) log.info({ target: target.key }, 'pushed target has a new process (__session_id__ changed)');
    return outcome.ok ? undefined : outcome.error;
  }

  /** Scrape wins: a kept series whose service and instance a scrape target has is dropped, with one warning per identity. */
  #scrapedAlready(s: PushedSeries): boolean {
    const service = s.labels.service_name ?? s.labels.service;
    const instance = s.labels.instance;
    if (service === undefined || instance === undefined) return false;
    if (!this.#scrapedPairs.has(`${service}\u0000${instance}`)) return false;
    const { key } = identityOf(s.labels, this.#deps.identityLabels());
    if (!this.#warnedOverlap.has(key)) {
      if (this.#warnedOverlap.size >= 10_000) this.#warnedOverlap.clear();
      this.#warnedOverlap.add(key);
      this.#deps.log.warn(
        { target: key, service, instance },
        'pushed series is also scraped (same service and instance): scraping wins, its pushed heap profiles are acknowledged and dropped (heapwatch_push_profiles_total{result="dropped_scraped"})',
      );
    }
    return true;
  }

  get #scrapedPairs(): Set<string> {
    const now = Date.now();
    if (!this.#scraped || now - this.#scraped.at > SCRAPED_CACHE_MS) {
      this.#scraped = { at: now, pairs: new Set(this.#deps.scraped().map((t) => `${t.labels.service ?? ''}\u0000${t.labels.instance ?? ''}`)) };
    }
    return this.#scraped.pairs;
  }
}
