/**
 * One target's scrape loop. It owns its schedule (a stable slot within the
 * interval), never has two scrapes in flight, and takes a slot from the
 * manager's global concurrency limit for each scrape.
 */
import { toErrorRecord } from '../errors.js';
import type { ArrivalOutcome, ProfileSink } from '../pipeline/source.js';
import { redact, secretValues } from '../targets/redact.js';
import { recordCollection, type CollectionStatus } from '../targets/status.js';
import type { Target } from '../targets/target.js';
import { profileUrl } from '../targets/build.js';
import { jitterOffset, nextSlot } from './jitter.js';
import type { Scraper } from './scraper.js';

export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

export interface LoopStatus extends CollectionStatus {
  /** When the goroutineleak profile is next due (its own, longer interval); absent when not configured. */
  goroutineleakDueAt?: number;
  /** Goroutine kinds the target answered 404 for: not asked again while the target's settings stay the same. */
  unavailable?: ('goroutine' | 'goroutineleak')[];
}

export interface LoopDeps {
  scraper: Scraper;
  /** The pipeline (only its interface: scrape/ never imports the pipeline's implementation). */
  sink: ProfileSink;
  limit: Limiter;
  onSkip?: (target: Target) => void;
}

export class ScrapeLoop {
  readonly target: Target;
  readonly #deps: LoopDeps;
  readonly #offset: number;
  readonly #abort = new AbortController();
  #inFlight: Promise<void> | undefined;
  #status: LoopStatus;

  constructor(target: Target, deps: LoopDeps, now: number) {
    this.target = target;
    this.#deps = deps;
    this.#offset = jitterOffset(target.key, target.intervalMs);
    this.#status = {
      health: 'unknown',
      lastOutcome: null,
      lastScrapeAt: null,
      lastDurationMs: null,
      lastError: null,
      scrapes: 0,
      failures: 0,
      skipped: 0,
      nextDueAt: nextSlot(now, target.intervalMs, this.#offset),
      // The first goroutineleak fetch comes with the first scrape, then every goroutineleak interval.
      ...(target.profiles?.includes('goroutineleak') ? { goroutineleakDueAt: now } : {}),
      unavailable: [],
    };
  }

  get status(): Readonly<LoopStatus> {
    return this.#status;
  }

  /** Called on every manager tick; starts a scrape when the slot has come. */
  tick(now: number): void {
    if (this.#abort.signal.aborted || now < this.#status.nextDueAt) return;
    // Catch up to the next slot in the future: a late tick runs once, not N times.
    this.#status.nextDueAt = nextSlot(now + 1, this.target.intervalMs, this.#offset);
    if (this.#inFlight) {
      this.#status.skipped++;
      this.#deps.onSkip?.(this.target);
      return;
    }
    this.#inFlight = this.#deps.limit(() => this.#scrapeOnce()).finally(() => {
      this.#inFlight = undefined;
    });
  }

  /**
   * Runs one scrape: fetch, then hand the profile to the sink, then record the
   * outcome. The duration handed on is the fetch's alone: decoding and storing
   * are the pipeline's, measured there.
   */
  async #scrapeOnce(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const startedAt = Date.now();
    const t0 = performance.now();
    let outcome: ArrivalOutcome;
    try {
      const fetched = await this.#deps.scraper.fetch(this.target, this.#abort.signal);
      outcome = await this.#deps.sink.accept({ origin: this.target, kind: 'heap', startedAt, durationMs: performance.now() - t0, body: fetched.body });
    } catch (err) {
      // A scrape cut off by shutdown says nothing about the target: not stored, not counted.
      if (this.#abort.signal.aborted) return;
      const raw = toErrorRecord(err, 'HW_ERR_SCRAPE_CONNECT');
      // Only the scrape source knows the target's secrets: an error that echoes one is redacted here, before it is stored or logged.
      const error = { code: raw.code, message: redact(raw.message, secretValues(this.target)) };
      outcome = this.#deps.sink.reject(this.target, 'heap', startedAt, performance.now() - t0, error);
    }
    // The goroutine kinds come after the heap, in the same slot, only when the target answered at all.
    if (outcome.ok) await this.#fetchGoroutineKinds(startedAt);
    recordCollection(this.#status, startedAt, performance.now() - t0, outcome);
  }

  /** The goroutine profile every scrape, the goroutineleak profile when its own interval has come; each from its sibling endpoint. */
  async #fetchGoroutineKinds(now: number): Promise<void> {
    const s = this.#status;
    const unavailable = (s.unavailable ??= []);
    const kinds = (this.target.profiles ?? []).filter((k): k is 'goroutine' | 'goroutineleak' => k !== 'heap' && !unavailable.includes(k));
    for (const kind of kinds) {
      if (kind === 'goroutineleak') {
        if (s.goroutineleakDueAt === undefined || now < s.goroutineleakDueAt) continue;
        s.goroutineleakDueAt = now + (this.target.goroutineleakIntervalMs ?? this.target.intervalMs);
      }
      if (this.#abort.signal.aborted) return;
      const startedAt = Date.now();
      const t0 = performance.now();
      const target = { ...this.target, fetchUrl: profileUrl(this.target.fetchUrl, kind) };
      try {
        const fetched = await this.#deps.scraper.fetch(target, this.#abort.signal);
        await this.#deps.sink.accept({ origin: this.target, kind, startedAt, durationMs: performance.now() - t0, body: fetched.body });
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        const raw = toErrorRecord(err, 'HW_ERR_SCRAPE_CONNECT');
        const error = { code: raw.code, message: redact(raw.message, secretValues(this.target)) };
        // 404: this Go has no such profile. Said once (the sink logs it), then not asked again.
        if (error.code === 'HW_ERR_SCRAPE_HTTP_STATUS' && /\b404\b/.test(error.message)) unavailable.push(kind);
        this.#deps.sink.reject(this.target, kind, startedAt, performance.now() - t0, error);
      }
    }
  }

  /** Stops scheduling, aborts a scrape in flight and waits for it to settle. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#inFlight;
  }
}
