/**
 * Findings in SQLite: the detection session's events are written here, the
 * API reads here, and open findings are read back at start-up so a daemon
 * restart neither loses nor duplicates them.
 */
import type { Finding } from '../detect/findings.js';
import type { Db } from './db.js';

/** A finding as stored, with its row id, target and epoch row id (camelCase, like Finding). */
export interface StoredFinding extends Finding {
  id: number;
  targetId: number;
  epochId: number;
}

/** A `findings` row as SQLite returns it: the snake_case column names, stack and evidence as JSON text. */
export interface FindingRow {
  id: number;
  target_id: number;
  epoch_id: number;
  key: string;
  class: Finding['classId'];
  severity: Finding['severity'];
  title: string;
  function: string;
  headline: string;
  stack: string;
  growth_bytes: number;
  bytes_per_hour: number;
  detected_at: number;
  last_seen_at: number;
  state: Finding['state'];
  resolved_at: number | null;
  resolved_reason: string | null;
  evidence: string;
  summary: string;
  remediation: string;
  doc_url: string;
}

/** Writes finding events and reads findings back (see above). */
export class FindingStore {
  readonly #stmts;

  constructor(db: Db) {
    this.#stmts = {
      upsert: db.prepare(
        `INSERT INTO findings (target_id, epoch_id, key, class, severity, title, function, headline, stack, growth_bytes, bytes_per_hour,
                               detected_at, last_seen_at, state, resolved_at, resolved_reason, evidence, summary, remediation, doc_url)
         VALUES (@target_id, @epoch_id, @key, @class, @severity, @title, @function, @headline, @stack, @growth_bytes, @bytes_per_hour,
                 @detected_at, @last_seen_at, @state, @resolved_at, @resolved_reason, @evidence, @summary, @remediation, @doc_url)
         ON CONFLICT (target_id, epoch_id, key) DO UPDATE SET
           severity = excluded.severity, title = excluded.title, headline = excluded.headline, stack = excluded.stack,
           growth_bytes = excluded.growth_bytes, bytes_per_hour = excluded.bytes_per_hour, last_seen_at = excluded.last_seen_at,
           state = excluded.state, resolved_at = excluded.resolved_at, resolved_reason = excluded.resolved_reason,
           evidence = excluded.evidence, summary = excluded.summary`,
      ),
      byState: db.prepare(`SELECT * FROM findings WHERE (@state = 'all' OR state = @state) ORDER BY detected_at DESC, id DESC LIMIT @limit`),
      byTarget: db.prepare(
        `SELECT * FROM findings WHERE target_id = @target AND (@state = 'all' OR state = @state) ORDER BY detected_at DESC, id DESC LIMIT @limit`,
      ),
      openOf: db.prepare(`SELECT * FROM findings WHERE target_id = ? AND state = 'open' ORDER BY id`),
      resolveOpenExcept: db.prepare(
        `UPDATE findings SET state = 'resolved', resolved_at = @now, resolved_reason = @reason
          WHERE state = 'open' AND target_id NOT IN (SELECT value FROM json_each(@owned))
            -- Imported history is no replica's to scrape: its findings stay as detection left them.
            AND target_id NOT IN (SELECT id FROM targets WHERE key LIKE 'import:%')`,
      ),
    };
  }

  /** Writes a finding's current state (insert, or update of the same target/epoch/key). */
  save(targetId: number, f: Finding): void {
    this.#stmts.upsert.run({
      target_id: targetId,
      epoch_id: Number(f.epoch),
      key: f.key,
      class: f.classId,
      severity: f.severity,
      title: f.title,
      function: f.function,
      headline: f.headline,
      stack: JSON.stringify(f.stack),
      growth_bytes: f.growthBytes,
      bytes_per_hour: f.bytesPerHour,
      detected_at: f.detectedAt,
      last_seen_at: f.lastSeenAt,
      state: f.state,
      resolved_at: f.resolvedAt,
      resolved_reason: f.resolvedReason,
      evidence: JSON.stringify(f.evidence),
      summary: f.summary,
      remediation: f.remediation,
      doc_url: f.docUrl,
    });
  }

  /** Resolves open findings of every target not in `owned`; returns how many. */
  resolveOpenExcept(owned: readonly number[], now: number, reason: string): number {
    return this.#stmts.resolveOpenExcept.run({ owned: JSON.stringify(owned), now, reason }).changes;
  }

  list(state: 'open' | 'resolved' | 'all', limit = 1000, targetId?: number): StoredFinding[] {
    const rows = (targetId === undefined ? this.#stmts.byState.all({ state, limit }) : this.#stmts.byTarget.all({ state, limit, target: targetId })) as FindingRow[];
    return rows.map(findingFromRow);
  }

  openOf(targetId: number): StoredFinding[] {
    return (this.#stmts.openOf.all(targetId) as FindingRow[]).map(findingFromRow);
  }
}

/** The in-program finding of a `findings` row (the one place the column names are read). */
export function findingFromRow(r: FindingRow): StoredFinding {
  return {
    id: r.id,
    targetId: r.target_id,
    epochId: r.epoch_id,
    key: r.key,
    epoch: String(r.epoch_id),
    classId: r.class,
    severity: r.severity,
    title: r.title,
    function: r.function,
    headline: r.headline,
    stack: JSON.parse(r.stack) as string[],
    growthBytes: r.growth_bytes,
    bytesPerHour: r.bytes_per_hour,
    detectedAt: r.detected_at,
    lastSeenAt: r.last_seen_at,
    state: r.state,
    resolvedAt: r.resolved_at,
    resolvedReason: r.resolved_reason,
    evidence: JSON.parse(r.evidence) as Finding['evidence'],
    summary: r.summary,
    remediation: r.remediation,
    docUrl: r.doc_url,
  };
}
