/**
 * A scrape target, as every discovery mechanism produces it and the scrape
 * manager consumes it. It is the scrape source's ProfileOrigin.
 */
import type { ProfileOrigin } from './origin.js';

export type { ProfileCountLimits } from './origin.js';

export type TargetAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token?: string; tokenFile?: string }
  | { kind: 'basic'; username: string; password?: string; passwordFile?: string };

/** TLS settings of a target (its config block's `tls:`). */
export interface TargetTls {
  caFile?: string;
  insecureSkipVerify: boolean;
  serverName?: string;
}

/** A scrape target: a ProfileOrigin plus what it takes to fetch it. */
export interface Target extends ProfileOrigin {
  /**
   * Stable identity: the scrape URL (with query), redacted: no userinfo, and
   * the values of `secret_params` replaced. Storage, sharding, logs, metrics
   * and the API use it; only the scraper sees `fetchUrl`.
   */
  key: string;
  /** The same redacted URL, for display. */
  url: string;
  /** The URL actually requested, secret parameters included (never logged). Userinfo moves to `auth`. */
  fetchUrl: string;
  /** Always has `service` and `instance`; free labels besides. */
  labels: Readonly<Record<string, string>>;
  timeoutMs: number;
  headers: Readonly<Record<string, string>>;
  /** Lower-cased names of headers whose values are secrets (never logged or returned). */
  secretHeaders: readonly string[];
  auth: TargetAuth;
  tls: TargetTls;
  followRedirects: boolean;
  /** Where the target came from: `static`, `file_sd:<path>` or `http_sd:<url>`. */
  source: string;
  /** Profile kinds fetched: always heap; goroutine and goroutineleak when configured (absent: heap only). */
  profiles?: readonly ('heap' | 'goroutine' | 'goroutineleak')[];
  /** Interval of the goroutineleak profile (each fetch runs a leak-detecting GC), at least `intervalMs`. */
  goroutineleakIntervalMs?: number;
}
