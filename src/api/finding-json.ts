/**
 * The HTTP form of a stored finding: the snake_case names the API has always
 * served and the web client reads (web/src/types.ts). The program's own
 * Finding is camelCase; this is the one place the API names are written.
 */
import type { StoredFinding } from '../store/findings.js';

/** Where the finding's target is shown: its URL and its `service` label. */
export interface FindingTargetInfo {
  target: string;
  service: string;
}

/** ISO-8601 of a profile time in ms (`null` stays `null`). */
function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The JSON object of one finding, keys in the order of the `findings` columns. */
export function findingJson(f: StoredFinding, where: FindingTargetInfo): Record<string, unknown> {
  return {
    id: f.id,
    target_id: f.targetId,
    epoch_id: f.epochId,
    key: f.key,
    class: f.classId,
    severity: f.severity,
    title: f.title,
    function: f.function,
    headline: f.headline,
    stack: f.stack,
    growth_bytes: f.growthBytes,
    bytes_per_hour: f.bytesPerHour,
    detected_at: iso(f.detectedAt),
    last_seen_at: iso(f.lastSeenAt),
    state: f.state,
    resolved_at: iso(f.resolvedAt),
    resolved_reason: f.resolvedReason,
    evidence: f.evidence,
    summary: f.summary,
    remediation: f.remediation,
    doc_url: f.docUrl,
    epoch: f.epoch,
    service: where.service,
    target: where.target,
  };
}
