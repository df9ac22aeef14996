/**
 * The first stage of the pipeline: decode off the event loop, store in one
 * transaction, update metrics, then hand the stored profile on (detection,
 * function export). A failure at any step is recorded as the arrival's
 * outcome with its code; it never escapes to the source.
 */
import { fromErrorRecord, HeapwatchError, isHeapwatchError, toErrorRecord, type ErrorRecord } from '../errors.js';
import type { Logger } from '../log.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { refuseDeltaProfile } from '../pprof/delta-profile.js';
import { sampleTotal, type HeapProfile } from '../pprof/profile.js';
import type { AppendResult, StoreWriter } from '../store/writer.js';
import type { OriginLife, OriginLives } from './lives.js';
import type { ArrivalOutcome, ProfileArrival, ProfileKind, ProfileOrigin } from './source.js';
import type { ProfileDecoder } from './decoder-pool.js';
import type { GoroutineIngest } from './goroutine-ingest.js';

/** A profile that is decoded and stored, as the later stages get it. */
export interface IngestedProfile {
  target: ProfileOrigin;
  /** When the scrape started (ms). */
  startedAt: number;
  profile: HeapProfile;
  stored: AppendResult;
  /** The origin's life when the profile arrived: later stages drop the profile once it is forgotten. */
  life?: OriginLife;
}

/** What ingest writes: the store's writer, or a fake in unit tests. */
export type ProfileWriter = Pick<StoreWriter, 'appendProfile' | 'appendFailure'>;

/** The metrics ingest updates. */
export interface IngestMetrics {
  observeScrape(origin: ProfileOrigin, o: { outcome: 'ok' | 'stale' | 'error'; code?: string; durationMs: number; bodyBytes?: number }): void;
  observeInuse(origin: ProfileOrigin, bytes: number, objects: number): void;
}

/** Whether the database takes writes: one place (store/metrics.ts StoreHealth) holds it. */
export interface StoreHealthReport {
  writeSucceeded(): void;
  writeFailed(code: string): void;
}

/** What ingest needs: narrow interfaces (decoder, writer, metrics, store health), so unit tests pass fakes. */
export interface IngestDeps {
  decoder: Pick<ProfileDecoder, 'decode'>;
  writer: ProfileWriter;
  metrics: IngestMetrics;
  storeHealth: StoreHealthReport;
  log: Logger;
  /** Global decode limits; an origin's own count limits override them. */
  limits: DecodeLimits;
  lives: OriginLives;
  /** Called after a profile is stored; must not block (detection runs later). */
  onIngested?: (ingested: IngestedProfile) => void;
  /** Goroutine and goroutineleak profiles; without it they are refused (HW_ERR_PROFILE_KIND_UNSUPPORTED). */
  goroutines?: Pick<GoroutineIngest, 'accept' | 'reject' | 'forget'>;
}

/** The pipeline's first stage: decode, store, metrics, then hand the stored profile on. */
export class Ingest {
  readonly #deps: IngestDeps;
  /** Last error code per origin: a failure is logged at warn once, then at debug until it changes. */
  readonly #lastCode = new Map<string, string>();

  constructor(deps: IngestDeps) {
    this.#deps = deps;
  }

  async accept({ origin, kind, startedAt, durationMs, body, newProcess }: ProfileArrival): Promise<ArrivalOutcome> {
    if (kind !== 'heap') {
      const goroutines = this.#deps.goroutines;
      return goroutines ? goroutines.accept({ origin, kind, startedAt, durationMs, body }) : this.#kindUnsupported(origin, kind, startedAt, durationMs, body.length);
    }
    const { decoder, writer, metrics, limits } = this.#deps;
    const life = this.#deps.lives.of(origin.key);
    let profile: HeapProfile;
    try {
      profile = await decoder.decode(body, { maxDecompressedBytes: limits.maxDecompressedBytes, ...origin.limits });
      if (origin.source !== 'push') refuseDeltaProfile(profile);
    } catch (err) {
      if (life.forgotten) return removed(origin);
      return this.reject(origin, kind, startedAt, durationMs, toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED'), body.length);
    }
    // Forgotten while it decoded: storing it would bring back what forget dropped.
    if (life.forgotten) return removed(origin);
    let stored: AppendResult;
    try {
      stored = writer.appendProfile({ target: origin, startedAt, durationMs, body, profile, newProcess });
    } catch (err) {
      // Refused by the writer's epoch check, not a failed write: recorded like any bad scrape.
      if (isHeapwatchError(err) && err.code === 'HW_ERR_EPOCH_FLAPPING') {
        return this.reject(origin, kind, startedAt, durationMs, toErrorRecord(err, 'HW_ERR_EPOCH_FLAPPING'), body.length);
      }
      const error = toErrorRecord(err, 'HW_ERR_STORE_WRITE');
      this.#deps.storeHealth.writeFailed(error.code);
      return this.#fail(origin, durationMs, error, body.length);
    }
    this.#deps.storeHealth.writeSucceeded();
    // The acknowledgement: from here on the scrape is durable (crash tests key on it).
    this.#deps.log.debug({ target: origin.url, scrape: stored.scrapeId, epoch: stored.epochId, transition: stored.transition }, 'scrape stored');
    metrics.observeScrape(origin, { outcome: stored.transition === 'stale' ? 'stale' : 'ok', durationMs, bodyBytes: body.length });
    metrics.observeInuse(origin, sampleTotal(profile, 'inuse_space'), sampleTotal(profile, 'inuse_objects'));
    if (this.#lastCode.has(origin.key)) {
      this.#lastCode.delete(origin.key);
      this.#deps.log.info({ target: origin.url }, 'target is up again');
    }
    if (stored.transition === 'restart' || stored.transition === 'build_changed') {
      this.#deps.log.info({ target: origin.url, reason: stored.transition, epoch: stored.epochId }, 'target process restarted: new epoch');
    }
    this.#deps.onIngested?.({ target: origin, startedAt, profile, stored, life });
    return { ok: true, stale: stored.transition === 'stale' };
  }

  /** Records a profile that never arrived (or could not be used) against its origin. */
  reject(origin: ProfileOrigin, kind: ProfileKind, startedAt: number, durationMs: number, error: ErrorRecord, bodyBytes?: number): ArrivalOutcome {
    // A goroutine fetch that failed is the goroutine store's and metrics' business: the heap target stays up.
    if (kind !== 'heap' && this.#deps.goroutines && error.code !== 'HW_ERR_PROFILE_KIND_UNSUPPORTED') return this.#deps.goroutines.reject(origin, kind, startedAt, durationMs, error);
    try {
      this.#deps.writer.appendFailure({ target: origin, startedAt, durationMs, error, bodyBytes });
    } catch (err) {
      this.#deps.storeHealth.writeFailed(toErrorRecord(err, 'HW_ERR_STORE_WRITE').code);
    }
    return this.#fail(origin, durationMs, error, bodyBytes);
  }

  /** Drops what is remembered of an origin that went away. */
  forget(originKey: string): void {
    this.#lastCode.delete(originKey);
    this.#deps.goroutines?.forget(originKey);
  }

  #kindUnsupported(origin: ProfileOrigin, kind: ProfileKind, startedAt: number, durationMs: number, bodyBytes: number): ArrivalOutcome {
    const error = toErrorRecord(new HeapwatchError('HW_ERR_PROFILE_KIND_UNSUPPORTED', `${kind} (only heap profiles are processed)`), 'HW_ERR_PROFILE_KIND_UNSUPPORTED');
    return this.reject(origin, kind, startedAt, durationMs, error, bodyBytes);
  }

  /** Metrics and log of a failed arrival (already stored, or not storable). */
  #fail(origin: ProfileOrigin, durationMs: number, error: ErrorRecord, bodyBytes?: number): ArrivalOutcome {
    this.#deps.metrics.observeScrape(origin, { outcome: 'error', code: error.code, durationMs, bodyBytes });
    const level = this.#lastCode.get(origin.key) === error.code ? 'debug' : 'warn';
    this.#lastCode.set(origin.key, error.code);
    this.#deps.log[level]({ target: origin.url, code: error.code, err: fromErrorRecord(error) }, 'scrape failed');
    return { ok: false, error };
  }
}

function removed(origin: ProfileOrigin): ArrivalOutcome {
  return { ok: false, error: toErrorRecord(new HeapwatchError('HW_ERR_ORIGIN_REMOVED', origin.url), 'HW_ERR_ORIGIN_REMOVED') };
}
