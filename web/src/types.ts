/** The API's JSON, as the pages read it (see src/api/). */
export interface Finding {
  id: number;
  target_id: number;
  target: string;
  service: string;
  class: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  function: string;
  headline: string;
  stack: string[];
  growth_bytes: number;
  bytes_per_hour: number;
  detected_at: string;
  last_seen_at: string;
  state: 'open' | 'resolved';
  resolved_at: string | null;
  resolved_reason: string | null;
  evidence: Record<string, unknown>;
  summary: string;
  remediation: string;
  doc_url: string;
}

export interface FindingDetail {
  finding: Finding;
  target: { id: number; url: string; labels: Record<string, string>; page: string } | null;
  page: string;
  window: { from: string; to: string; base_at: string; latest_at: string } | null;
  series: { t: number[]; total: number[]; finding: number[] };
  downloads: Record<'base' | 'latest' | 'diff', { url: string; file: string }> | null;
  pprof_command: string | null;
}

export interface FlameNode {
  name: string;
  value: number;
  delta: number;
  children: FlameNode[];
}

export interface FlameResponse {
  key_frame: string;
  base_at: string;
  latest_at: string;
  nodes: number;
  folded: number;
  root: FlameNode;
}

export interface TargetOverview {
  target: { id: number; url: string; labels: Record<string, string> };
  totals: { t: number[]; total: number[] };
  window_seconds: number;
  functions: { name: string; inuse_bytes: number; delta_bytes: number; bytes_per_hour: number; spark: number[] }[];
}
