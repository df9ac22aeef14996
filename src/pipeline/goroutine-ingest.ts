/**
 * Ingest of goroutine and goroutineleak profiles: decode off the event loop
 * (the same decoder pool and limits as heap profiles), store the goroutine
 * counts (store/goroutine-writer.ts), update the goroutine metrics, then hand
 * the profile to goroutine detection. A failure is recorded against the
 * origin's goroutine fetches, never against its heap scrapes: a target whose
 * goroutine endpoint fails is still up.
 */
import { fromErrorRecord, toErrorRecord, type ErrorRecord } from '../errors.js';
import type { Logger } from '../log.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { refuseDeltaProfile } from '../pprof/delta-profile.js';
import type { HeapProfile } from '../pprof/profile.js';
import type { GoroutineAppendResult, GoroutineWriter } from '../store/goroutine-writer.js';
import type { ProfileDecoder } from './decoder-pool.js';
import type { StoreHealthReport } from './ingest.js';
import type { OriginLife, OriginLives } from './lives.js';
import type { ArrivalOutcome, ProfileArrival, ProfileOrigin } from './source.js';

import type { GoroutineKind } from '../pprof/kind.js';

/** A stored goroutine or goroutineleak profile, as detection gets it. */
export interface IngestedGoroutines {
  target: ProfileOrigin;
  kind: GoroutineKind;
  startedAt: number;
  profile: HeapProfile;
  stored: GoroutineAppendResult;
  life?: OriginLife;
}

export interface GoroutineIngestMetrics {
  observeGoroutines(origin: ProfileOrigin, kind: GoroutineKind, o: { outcome: 'ok' | 'error' | 'unavailable'; code?: string; goroutines?: number }): void;
}

export interface GoroutineIngestDeps {
  decoder: Pick<ProfileDecoder, 'decode'>;
  writer: Pick<GoroutineWriter, 'append' | 'appendFailure' | 'forget'>;
  metrics: GoroutineIngestMetrics;
  storeHealth: StoreHealthReport;
  log: Logger;
  limits: DecodeLimits;
  lives: OriginLives;
  onIngested?: (ingested: IngestedGoroutines) => void;
}

/** A 404 from a goroutine endpoint: this Go has no such profile (goroutineleak before Go 1.27 without the experiment). */
export function isUnavailable(error: ErrorRecord): boolean {
  return error.code === 'HW_ERR_SCRAPE_HTTP_STATUS' && /\b404\b/.test(error.message);
}

export class GoroutineIngest {
  readonly #deps: GoroutineIngestDeps;
  /** Last error code per origin and kind: logged at warn once, then at debug until it changes. */
  readonly #lastCode = new Map<string, string>();

  constructor(deps: GoroutineIngestDeps) {
    this.#deps = deps;
  }

  async accept({ origin, kind, startedAt, durationMs, body }: ProfileArrival & { kind: GoroutineKind }): Promise<ArrivalOutcome> {
    const { decoder, writer, metrics, limits } = this.#deps;
    const life = this.#deps.lives.of(origin.key);
    let profile: HeapProfile;
    try {
      profile = await decoder.decode(body, { maxDecompressedBytes: limits.maxDecompressedBytes, ...origin.limits }, kind);
      if (origin.source !== 'push') refuseDeltaProfile(profile);
    } catch (err) {
      return this.reject(origin, kind, startedAt, durationMs, toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED'));
    }
    if (life.forgotten) return { ok: false, error: { code: 'HW_ERR_ORIGIN_REMOVED', message: origin.url } };
    let stored: GoroutineAppendResult;
    try {
      stored = writer.append({ owner: origin, kind, startedAt, durationMs, bodyBytes: body.length, profile });
    } catch (err) {
      const error = toErrorRecord(err, 'HW_ERR_STORE_WRITE');
      this.#deps.storeHealth.writeFailed(error.code);
      return this.#fail(origin, kind, error, false);
    }
    this.#deps.storeHealth.writeSucceeded();
    metrics.observeGoroutines(origin, kind, { outcome: 'ok', goroutines: profile.totals[0] ?? 0 });
    if (this.#lastCode.delete(`${origin.key}\n${kind}`)) this.#deps.log.info({ target: origin.url, kind }, `${kind} profile fetched again`);
    this.#deps.onIngested?.({ target: origin, kind, startedAt, profile, stored, life });
    return { ok: true };
  }

  /** Records a goroutine fetch that brought nothing usable; a 404 is recorded as `unavailable`. */
  reject(origin: ProfileOrigin, kind: GoroutineKind, startedAt: number, durationMs: number, error: ErrorRecord): ArrivalOutcome {
    const unavailable = isUnavailable(error);
    try {
      this.#deps.writer.appendFailure(origin, kind, startedAt, durationMs, error, unavailable);
    } catch (err) {
      this.#deps.storeHealth.writeFailed(toErrorRecord(err, 'HW_ERR_STORE_WRITE').code);
    }
    return this.#fail(origin, kind, error, unavailable);
  }

  forget(originKey: string): void {
    for (const key of [...this.#lastCode.keys()]) if (key.startsWith(`${originKey}\n`)) this.#lastCode.delete(key);
    this.#deps.writer.forget(originKey);
  }

  #fail(origin: ProfileOrigin, kind: GoroutineKind, error: ErrorRecord, unavailable: boolean): ArrivalOutcome {
    this.#deps.metrics.observeGoroutines(origin, kind, { outcome: unavailable ? 'unavailable' : 'error', code: error.code });
    const key = `${origin.key}\n${kind}`;
    const repeated = this.#lastCode.get(key) === error.code;
    this.#lastCode.set(key, error.code);
    if (unavailable) {
      // Said once: the scrape loop stops asking for this kind (until the target's settings change).
      this.#deps.log.warn(
        { target: origin.url, kind, code: error.code },
        `${kind} profile not available at this target (HTTP 404: ${kind === 'goroutineleak' ? 'Go 1.26 needs GOEXPERIMENT=goroutineleakprofile, Go 1.27 has it' : 'no such pprof endpoint'}); not asking again`,
      );
    } else {
      this.#deps.log[repeated ? 'debug' : 'warn']({ target: origin.url, kind, code: error.code, err: fromErrorRecord(error) }, `${kind} profile fetch failed`);
    }
    return { ok: false, error };
  }
}
