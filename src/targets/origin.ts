/**
 * Who a profile belongs to, whatever brought it (a scrape, a push, an
 * import). It sits in targets/, below store/, export/, pipeline/ and
 * scrape/, so every stage can name an origin without a folder cycle;
 * src/pipeline/source.ts re-exports it as part of the pipeline contract.
 */

/** The profile kinds a source can deliver: defined once, in pprof/kind.ts, where profiles are told apart. */
export type { ProfileKind } from '../pprof/kind.js';
import type { DetectOverrides } from '../config/schema.js';

/** Per-profile count limits (Prometheus's sample_limit, for pprof). */
export interface ProfileCountLimits {
  maxSamples: number;
  maxLocations: number;
  maxFunctions: number;
}

/** Who a profile belongs to, whatever brought it. The scrape Target (./target.ts) extends it. */
export interface ProfileOrigin {
  /** Stable identity. scrape: redacted URL; push: 'push:' + canonical identity labels; import: 'import:' + name. */
  key: string;
  /** For display. */
  url: string;
  /** Always has `service` and `instance`. */
  labels: Readonly<Record<string, string>>;
  /** 'static' | 'file_sd:<path>' | 'http_sd:<url>' | 'push' | 'import'. */
  source: string;
  /** Expected cadence (down/stale judgement). */
  intervalMs: number;
  limits: ProfileCountLimits;
  /** Detector settings of this origin over the global `detect:` block (a target's or its block's `detect:`); absent: the global ones. */
  detect?: DetectOverrides;
}
