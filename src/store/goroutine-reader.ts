/**
 * Reads goroutine counts back (migration 006): a target's fetches of one
 * kind, rebuilt from the last keyframe plus the deltas after it, per stack.
 * Detection resumes from this after a daemon restart, and tests hold the
 * encoding to the profiles it came from.
 */
import { packStacks, type HeapProfile } from '../pprof/profile.js';
import type { Db } from './db.js';
import type { GoroutineProfileKind } from './goroutine-writer.js';

export interface GoroutinePoint {
  scrapeId: number;
  epochId: number | null;
  /** The profile's own time when it had one, else the fetch time (ms). */
  t: number;
  total: number;
  /** Stack id -> goroutines, stacks with goroutines only. */
  counts: Map<number, number>;
}

export interface GoroutineSeries {
  points: GoroutinePoint[];
  /** Stack id -> function names, leaf first. */
  frames: Map<number, string[]>;
}

/**
 * The fetches of `kind` of the target's latest epoch from `sinceMs` on, with
 * absolute counts (the keyframe before `sinceMs` is read too, as the base of
 * the deltas after it).
 */
export function readGoroutineSeries(db: Db, targetKey: string, kind: GoroutineProfileKind, sinceMs: number): GoroutineSeries {
  const target = db.prepare(`SELECT id FROM targets WHERE key = ?`).pluck().get(targetKey) as number | undefined;
  if (target === undefined) return { points: [], frames: new Map() };
  const epoch = db.prepare(`SELECT epoch_id FROM goroutine_scrapes WHERE target_id = ? AND kind = ? AND outcome = 'ok' ORDER BY id DESC LIMIT 1`).pluck().get(target, kind) as
    | number
    | null
    | undefined;
  if (epoch === undefined) return { points: [], frames: new Map() };
  const inEpoch = epoch === null ? 'epoch_id IS NULL' : 'epoch_id = @epoch';
  const base = db
    .prepare(`SELECT MAX(id) FROM goroutine_scrapes WHERE target_id = @target AND kind = @kind AND outcome = 'ok' AND keyframe = 1 AND ${inEpoch} AND ts <= @since`)
    .pluck()
    .get({ target, kind, epoch, since: sinceMs }) as number | null;
  const first =
    base ??
    (db
      .prepare(`SELECT MIN(id) FROM goroutine_scrapes WHERE target_id = @target AND kind = @kind AND outcome = 'ok' AND keyframe = 1 AND ${inEpoch}`)
      .pluck()
      .get({ target, kind, epoch }) as number | null);
  if (first === null) return { points: [], frames: new Map() };
  const scrapes = db
    .prepare(
      `SELECT id, epoch_id AS epochId, COALESCE(profile_time, ts) AS t, ts, goroutines AS total, keyframe FROM goroutine_scrapes
        WHERE target_id = @target AND kind = @kind AND outcome = 'ok' AND ${inEpoch} AND id >= @first ORDER BY id`,
    )
    .all({ target, kind, epoch, first }) as { id: number; epochId: number | null; t: number; ts: number; total: number; keyframe: number }[];
  const values = db.prepare(`SELECT stack_id AS stackId, goroutines AS n FROM goroutine_stack_values WHERE scrape_id = ?`);
  const current = new Map<number, number>();
  const points: GoroutinePoint[] = [];
  for (const s of scrapes) {
    if (s.keyframe) current.clear();
    for (const { stackId, n } of values.all(s.id) as { stackId: number; n: number }[]) {
      const v = (s.keyframe ? 0 : (current.get(stackId) ?? 0)) + n;
      if (v === 0) current.delete(stackId);
      else current.set(stackId, v);
    }
    if (s.ts >= sinceMs) points.push({ scrapeId: s.id, epochId: s.epochId, t: s.t, total: s.total, counts: new Map(current) });
  }
  return { points, frames: stackFrames(db, new Set(points.flatMap((p) => [...p.counts.keys()]))) };
}

function stackFrames(db: Db, ids: Set<number>): Map<number, string[]> {
  const stack = db.prepare(`SELECT frames FROM stacks WHERE id = ?`).pluck();
  const fn = db.prepare(`SELECT name FROM functions WHERE id = ?`).pluck();
  const names = new Map<number, string>();
  const out = new Map<number, string[]>();
  for (const id of ids) {
    const frames = JSON.parse(stack.get(id) as string) as number[];
    out.set(
      id,
      frames.map((f) => {
        let name = names.get(f);
        if (name === undefined) names.set(f, (name = fn.get(f) as string));
        return name;
      }),
    );
  }
  return out;
}

/** A stored point as a goroutine profile, to replay through detection (function names only: no files, modules or build id). */
export function pointProfile(point: GoroutinePoint, frames: ReadonlyMap<number, string[]>, kind: GoroutineProfileKind): HeapProfile {
  const names: string[] = [];
  const index = new Map<string, number>();
  const idOf = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
  const stacks = [...point.counts].map(([id, n]) => ({ frames: (frames.get(id) ?? []).map(idOf), values: [n] }));
  return {
    timeMs: point.t,
    durationNanos: 0,
    period: 1,
    sampleTypes: [{ type: kind, unit: 'count' }],
    functions: names.map((name) => ({ name, filename: '' })),
    stacks: packStacks(stacks, 1),
    buildId: '',
    modules: [],
    totals: [point.total],
  };
}
