/**
 * A scrape target, as every discovery mechanism produces it and the scrape
 * manager consumes it.
 */

export type TargetAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token?: string; tokenFile?: string }
  | { kind: 'basic'; username: string; password?: string; passwordFile?: string };

export interface TargetTls {
  caFile?: string;
  insecureSkipVerify: boolean;
  serverName?: string;
}

export interface Target {
  /** Stable identity: the full scrape URL (with query). Storage and sharding key on it. */
  key: string;
  url: string;
  /** Always has `service` and `instance`; free labels besides. */
  labels: Readonly<Record<string, string>>;
  intervalMs: number;
  timeoutMs: number;
  headers: Readonly<Record<string, string>>;
  /** Lower-cased names of headers whose values are secrets (never logged or returned). */
  secretHeaders: readonly string[];
  auth: TargetAuth;
  tls: TargetTls;
  followRedirects: boolean;
  /** Where the target came from: `static`, `file_sd:<path>` or `http_sd:<url>`. */
  source: string;
}
