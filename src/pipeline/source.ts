/**
 * The shared pipeline contract: how a source of profiles (scraping today;
 * push and import next) hands profiles to the pipeline, and the lifecycle
 * every long-lived part of the daemon follows.
 *
 * Dependency direction: sources (scrape/, later push/) import these types
 * only; the pipeline's implementation never imports a source. The origin
 * types live in targets/origin.ts, below store/ and export/, which name
 * origins too; they are re-exported here so the contract is one import.
 */
import type { Config } from '../config/schema.js';
import type { ErrorRecord } from '../errors.js';
import type { ProfileKind, ProfileOrigin } from '../targets/origin.js';
import type { ArrivalOutcome } from '../targets/status.js';

export type { ProfileCountLimits, ProfileKind, ProfileOrigin } from '../targets/origin.js';
export type { ArrivalOutcome } from '../targets/status.js';

/** One profile as a source delivers it: raw bytes, not yet decoded. */
export interface ProfileArrival {
  origin: ProfileOrigin;
  kind: ProfileKind;
  /** When fetching (or receiving) started, ms since the epoch. */
  startedAt: number;
  /** How long fetching (or receiving) took. */
  durationMs: number;
  body: Uint8Array;
  /**
   * The source knows the profile comes from a new process (a pushed
   * series' `__session_id__` changed): a new epoch, even where the profile
   * cannot show it.
   */
  newProcess?: boolean;
}


/** Where sources hand profiles: the pipeline. */
export interface ProfileSink {
  /** Decode, limit, store, metrics, queue detection. Never rejects. */
  accept(arrival: ProfileArrival): Promise<ArrivalOutcome>;
  /** A profile that never arrived (fetch failed, push malformed): recorded against the origin. */
  reject(origin: ProfileOrigin, kind: ProfileKind, startedAt: number, durationMs: number, error: ErrorRecord): ArrivalOutcome;
  /** The origin is gone: every per-origin map in every stage drops it. */
  forget(originKey: string): void;
}

/** Every long-lived part. main.ts starts them in order, stops in reverse, reloads via applyConfig. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  applyConfig(config: Config): Promise<void> | void;
  stop(): Promise<void>;
}

/** A source of profiles (scraping today; push and import next). It feeds a ProfileSink. */
export interface ProfileSource extends Component {
  origins(): Iterable<ProfileOrigin>;
}
