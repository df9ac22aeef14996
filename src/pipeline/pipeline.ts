/**
 * The pipeline every profile goes through, whatever source brought it:
 * ingest (decode, store, metrics) → detection (queued, one target at a time)
 * and the function export (throttled). It is the ProfileSink the sources
 * feed, and the one place that forgets an origin: `forget(key)` fans out to
 * every stage that keeps per-origin state, so a fleet that churns through
 * discovery does not grow the daemon (test/lifecycle.test.ts).
 */
import { detectParamsFrom } from '../detect/params.js';
import type { FindingEvent } from '../detect/findings.js';
import type { Config } from '../config/schema.js';
import type { ErrorRecord } from '../errors.js';
import { FunctionExport, type FunctionExportDeps } from '../export/function-export.js';
import type { Logger } from '../log.js';
import type { StoreReader } from '../store/reader.js';
import type { StoreWriter } from '../store/writer.js';
import { DetectorRunner, type DetectorDeps, type FindingSink } from './detector.js';
import type { ProfileDecoder } from './decoder-pool.js';
import { Ingest, type IngestedProfile, type IngestMetrics, type ProfileWriter, type StoreHealthReport } from './ingest.js';
import { OriginLives } from './lives.js';
import { GoroutineIngest, type GoroutineIngestDeps, type GoroutineIngestMetrics } from './goroutine-ingest.js';
import type { ArrivalOutcome, Component, ProfileArrival, ProfileKind, ProfileOrigin, ProfileSink } from './source.js';

/** The metrics the pipeline's stages update. */
export interface PipelineMetrics extends IngestMetrics, Partial<GoroutineIngestMetrics> {
  observeFinding(originKey: string, event: FindingEvent): void;
  registerTarget(origin: ProfileOrigin): void;
  removeTarget(origin: Pick<ProfileOrigin, 'key'>): void;
  observeModules: FunctionExportDeps['metrics']['observeModules'];
  observeTopFunctions: FunctionExportDeps['metrics']['observeTopFunctions'];
}

/** What the pipeline is built on: its stages' narrow dependencies and test hooks. */
export interface PipelineDeps {
  config: Config;
  decoder: ProfileDecoder;
  writer: ProfileWriter & Pick<StoreWriter, 'registerTarget' | 'forget'>;
  /** Where goroutine and goroutineleak counts go; without it those kinds are refused. */
  goroutineWriter?: GoroutineIngestDeps['writer'];
  /** Stored goroutine counts, for resuming goroutine detection after a restart. */
  goroutineHistory?: DetectorDeps['goroutineHistory'];
  reader: Pick<StoreReader, 'stackHistory' | 'functionsView'>;
  findings: FindingSink;
  carry: DetectorDeps['carry'];
  metrics: PipelineMetrics;
  storeHealth: StoreHealthReport;
  log: Logger;
  /** Hook for tests after each stored profile. */
  onIngested?: (ingested: IngestedProfile) => void;
  /** Hook for tests after each stored finding event. */
  onFinding?: (originKey: string, event: FindingEvent) => void;
}

/** The ProfileSink every source feeds, and the component that owns the stages behind it. */
export class Pipeline implements ProfileSink, Component {
  readonly name = 'pipeline';
  readonly detector: DetectorRunner;
  readonly #deps: PipelineDeps;
  readonly #ingest: Ingest;
  readonly #functionExport: FunctionExport;
  readonly #lives = new OriginLives();
  /** Mutable holder: a reload changes the limit in place for every later decode. */
  readonly #limits: { maxDecompressedBytes: number };
  #config: Config;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#limits = { maxDecompressedBytes: deps.config.global.max_decompressed_bytes };
    const { metrics, log } = deps;
    this.detector = new DetectorRunner({
      findings: deps.findings,
      carry: deps.carry,
      reader: deps.reader,
      params: detectParamsFrom(deps.config.detect),
      log: log.child({ component: 'detect' }),
      goroutineHistory: deps.goroutineHistory,
      onEvent: (key, e) => {
        metrics.observeFinding(key, e);
        // A finding's function must show in the per-function series at the next scrape.
        if (e.type !== 'updated') this.#functionExport.invalidate(key);
        deps.onFinding?.(key, e);
      },
    });
    this.#functionExport = new FunctionExport({
      reader: deps.reader,
      metrics,
      topFunctions: () => this.#config.export.top_functions,
      keep: (key) => new Set(this.detector.open(key).flatMap((f) => [f.function, f.stack[0] ?? ''])),
    });
    const goroutines = deps.goroutineWriter
      ? new GoroutineIngest({
          decoder: deps.decoder,
          writer: deps.goroutineWriter,
          metrics: { observeGoroutines: (origin, kind, o) => metrics.observeGoroutines?.(origin, kind, o) },
          storeHealth: deps.storeHealth,
          log: log.child({ component: 'ingest' }),
          limits: this.#limits,
          lives: this.#lives,
          onIngested: (i) => this.detector.enqueueGoroutines(i),
        })
      : undefined;
    this.#ingest = new Ingest({
      goroutines,
      decoder: deps.decoder,
      writer: deps.writer,
      metrics,
      storeHealth: deps.storeHealth,
      log: log.child({ component: 'ingest' }),
      limits: this.#limits,
      lives: this.#lives,
      onIngested: (i) => this.#onIngested(i),
    });
  }

  async start(): Promise<void> {
    // Nothing to start: the stages work as profiles arrive.
  }

  applyConfig(config: Config): void {
    this.#config = config;
    this.#limits.maxDecompressedBytes = config.global.max_decompressed_bytes;
    this.#deps.decoder.setBudget(config.global.max_decoding_bytes);
    this.detector.applyParams(detectParamsFrom(config.detect));
  }

  /** After the sources stopped: lets queued detection finish, then ends the decoder threads. */
  async stop(): Promise<void> {
    await this.detector.idle();
    await this.#deps.decoder.close();
  }

  accept(arrival: ProfileArrival): Promise<ArrivalOutcome> {
    return this.#ingest.accept(arrival);
  }

  reject(origin: ProfileOrigin, kind: ProfileKind, startedAt: number, durationMs: number, error: ErrorRecord): ArrivalOutcome {
    return this.#ingest.reject(origin, kind, startedAt, durationMs, error);
  }

  /** A new origin: its stored row (the API's target id) and its metric labels exist before its first profile. */
  register(origin: ProfileOrigin): void {
    this.#deps.writer.registerTarget(origin);
    this.#deps.metrics.registerTarget(origin);
  }

  /**
   * The one place that forgets an origin that went away. Its life ends first,
   * so work still in flight for it (decoding, queued for detection) is dropped
   * when it finishes instead of bringing state back. Metrics go last: ending
   * the detection session emits resolved events that touch them.
   */
  forget(originKey: string): void {
    this.#lives.forget(originKey);
    this.#deps.writer.forget(originKey);
    this.detector.forget(originKey);
    this.#ingest.forget(originKey);
    this.#functionExport.forget(originKey);
    this.#deps.metrics.removeTarget({ key: originKey });
  }

  /** Origins with in-memory state (for tests: a forgotten one has none). */
  get liveOrigins(): number {
    return this.#lives.size;
  }

  #onIngested(i: IngestedProfile): void {
    this.detector.enqueue(i);
    if (i.stored.transition !== 'stale') {
      this.#functionExport.onScrape({ target: i.target, targetId: i.stored.targetId, transition: i.stored.transition, modules: i.profile.modules });
    }
    this.#deps.onIngested?.(i);
  }
}
