/**
 * The shared pipeline contract (src/pipeline/source.ts once it lands), as far
 * as the push receivers use it. Until then this is its local copy, so that
 * switching to the real module is a change of this one file.
 */
import type { ErrorRecord } from '../errors.js';
import type { ProfileCountLimits } from '../targets/target.js';

export type ProfileKind = 'heap' | 'goroutine' | 'goroutineleak';

/** Who a profile belongs to, whatever brought it. */
export interface ProfileOrigin {
  key: string;
  url: string;
  labels: Readonly<Record<string, string>>;
  source: string;
  intervalMs: number;
  limits: ProfileCountLimits;
}

export type ArrivalOutcome = { ok: true; stale?: boolean } | { ok: false; error: ErrorRecord };
