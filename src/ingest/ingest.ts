/**
 * The scrape sink main.ts hands to the scrape manager: decode off the event
 * loop, store in one transaction, update metrics, then tell listeners (the
 * detectors) that a new profile is in. A failure at any step is recorded as
 * the scrape's outcome with its code; it never escapes to the loop.
 */
import { fromErrorRecord, isHeapwatchError, toErrorRecord, type ErrorRecord } from '../errors.js';
import type { HeapwatchMetrics } from '../export/metrics.js';
import type { Logger } from '../log.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import type { ProfileDecoder } from '../pprof/decoder-pool.js';
import type { HeapProfile } from '../pprof/profile.js';
import type { ScrapeOutcome, ScrapeResult, ScrapeSink } from '../scrape/sink.js';
import type { AppendResult, StoreWriter } from '../store/writer.js';
import { redact, secretValues } from '../targets/redact.js';
import type { Target } from '../targets/target.js';

export interface IngestedProfile {
  target: Target;
  /** When the scrape started (ms). */
  startedAt: number;
  profile: HeapProfile;
  stored: AppendResult;
}

export interface IngestDeps {
  decoder: ProfileDecoder;
  writer: StoreWriter;
  metrics: HeapwatchMetrics;
  log: Logger;
  /** Global decode limits; a target's own count limits override them. */
  limits: DecodeLimits;
  /** Called after a profile is stored; must not block (detection runs later). */
  onIngested?: (ingested: IngestedProfile) => void;
}

export class Ingest implements ScrapeSink {
  readonly #deps: IngestDeps;
  /** Last error code per target: a failure is logged at warn once, then at debug until it changes. */
  readonly #lastCode = new Map<string, string>();
  #storeHealthy = true;

  constructor(deps: IngestDeps) {
    this.#deps = deps;
  }

  /** False while database writes fail (disk full, read-only file); true again after the next successful write. */
  get storeHealthy(): boolean {
    return this.#storeHealthy;
  }

  async append(target: Target, result: ScrapeResult): Promise<ScrapeOutcome> {
    if (!result.ok) return this.#fail(target, result.startedAt, result.durationMs, result.error);
    const { decoder, writer, metrics, limits } = this.#deps;
    let profile: HeapProfile;
    try {
      profile = await decoder.decode(result.body, { maxDecompressedBytes: limits.maxDecompressedBytes, ...target.limits });
    } catch (err) {
      return this.#fail(target, result.startedAt, result.durationMs, toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED'), result.body.length);
    }
    let stored: AppendResult;
    try {
      stored = writer.appendProfile({ target, startedAt: result.startedAt, durationMs: result.durationMs, body: result.body, profile });
    } catch (err) {
      // Refused by the writer's epoch check, not a failed write: recorded like any bad scrape.
      if (isHeapwatchError(err) && err.code === 'HW_ERR_EPOCH_FLAPPING') {
        return this.#fail(target, result.startedAt, result.durationMs, toErrorRecord(err, 'HW_ERR_EPOCH_FLAPPING'), result.body.length);
      }
      const error = toErrorRecord(err, 'HW_ERR_STORE_WRITE');
      metrics.storeWriteErrors.inc({ code: error.code });
      metrics.storeHealthy.set(0);
      this.#storeHealthy = false;
      return this.#fail(target, result.startedAt, result.durationMs, error, result.body.length, false);
    }
    metrics.storeHealthy.set(1);
    this.#storeHealthy = true;
    // The acknowledgement: from here on the scrape is durable (crash tests key on it).
    this.#deps.log.debug({ target: target.url, scrape: stored.scrapeId, epoch: stored.epochId, transition: stored.transition }, 'scrape stored');
    const outcome = stored.transition === 'stale' ? 'stale' : 'ok';
    metrics.observeScrape(target, { outcome, durationMs: result.durationMs, bodyBytes: result.body.length });
    const inuse = profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
    const objects = profile.sampleTypes.findIndex((t) => t.type === 'inuse_objects');
    metrics.observeInuse(target, profile.totals[inuse] ?? 0, profile.totals[objects] ?? 0);
    if (this.#lastCode.has(target.key)) {
      this.#lastCode.delete(target.key);
      this.#deps.log.info({ target: target.url }, 'target is up again');
    }
    if (stored.transition === 'restart' || stored.transition === 'build_changed') {
      this.#deps.log.info({ target: target.url, reason: stored.transition, epoch: stored.epochId }, 'target process restarted: new epoch');
    }
    this.#deps.onIngested?.({ target, startedAt: result.startedAt, profile, stored });
    return { ok: true, stale: stored.transition === 'stale' };
  }

  /** Drops what is remembered of a target that went away (see main.ts forgetTarget). */
  forget(targetKey: string): void {
    this.#lastCode.delete(targetKey);
  }

  #fail(target: Target, startedAt: number, durationMs: number, rawError: ErrorRecord, bodyBytes?: number, record = true): ScrapeOutcome {
    const error = { code: rawError.code, message: redact(rawError.message, secretValues(target)) };
    this.#deps.metrics.observeScrape(target, { outcome: 'error', code: error.code, durationMs, bodyBytes });
    if (record) {
      try {
        this.#deps.writer.appendFailure({ target, startedAt, durationMs, error, bodyBytes });
      } catch (err) {
        const e = toErrorRecord(err, 'HW_ERR_STORE_WRITE');
        this.#deps.metrics.storeWriteErrors.inc({ code: e.code });
        this.#deps.metrics.storeHealthy.set(0);
      }
    }
    const level = this.#lastCode.get(target.key) === error.code ? 'debug' : 'warn';
    this.#lastCode.set(target.key, error.code);
    this.#deps.log[level]({ target: target.url, code: error.code, err: fromErrorRecord(error) }, 'scrape failed');
    return { ok: false, error };
  }
}
