/**
 * Read side for the web pages: one finding by id, the series of its epoch
 * (heap total and the finding's own inuse), and the full per-stack state at
 * any scrape (nearest keyframe plus the deltas after it), from which the
 * flame graph and the downloadable profiles are built.
 */
import type { Db } from './db.js';
import { findingFromRow, type FindingRow, type StoredFinding } from './findings.js';

/** Per-stack state at one scrape: [inuse bytes, inuse objects, alloc bytes, alloc objects]. */
export type StackState = Map<number, [number, number, number, number]>;

export interface ScrapePoint {
  scrapeId: number;
  /** Profile time (ms), or the scrape time when the profile had none. */
  t: number;
  keyframe: boolean;
}

export interface SeriesPoint {
  t: number;
  total: number;
  /** The tracked stacks' inuse bytes (a function's cumulative inuse). */
  value: number;
}

/** Stacks whose parsed frames are kept (~100 bytes each): a few big profiles' worth. */
const FRAMES_CACHE_MAX = 400_000;

export class HistoryReader {
  readonly #stmts;
  readonly #framesCache = new Map<number, number[]>();

  constructor(db: Db) {
    this.#stmts = {
      finding: db.prepare(`SELECT * FROM findings WHERE id = ?`),
      functionId: db.prepare(`SELECT id FROM functions WHERE name = ?`),
      stacksLike: db.prepare(`SELECT id, frames FROM stacks WHERE frames LIKE ?`),
      okScrapes: db.prepare(
        `SELECT id AS scrapeId, COALESCE(profile_time, ts) AS t, keyframe FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' ORDER BY id`,
      ),
      trackedSeries: db.prepare(
        `SELECT s.id, COALESCE(s.profile_time, s.ts) AS t, s.keyframe, s.inuse_bytes AS total, COALESCE(SUM(v.inuse_bytes), 0) AS d
           FROM scrapes s LEFT JOIN stack_values v ON v.scrape_id = s.id AND v.stack_id IN (SELECT value FROM json_each(?))
          WHERE s.epoch_id = ? AND s.outcome = 'ok' GROUP BY s.id ORDER BY s.id`,
      ),
      functionSeries: db.prepare(
        `SELECT s.id, COALESCE(s.profile_time, s.ts) AS t, s.keyframe, s.inuse_bytes AS total, COALESCE(v.inuse_bytes, 0) AS d
           FROM scrapes s LEFT JOIN function_values v ON v.scrape_id = s.id AND v.function_id = ?
          WHERE s.epoch_id = ? AND s.outcome = 'ok' ORDER BY s.id`,
      ),
      targetTotals: db.prepare(
        `SELECT COALESCE(profile_time, ts) AS t, inuse_bytes AS total, epoch_id AS epochId FROM scrapes
          WHERE target_id = ? AND outcome IN ('ok', 'stale') ORDER BY id`,
      ),
      keyframeAtOrBefore: db.prepare(`SELECT id FROM scrapes WHERE epoch_id = ? AND keyframe = 1 AND id <= ? ORDER BY id DESC LIMIT 1`),
      okScrapeIdsBetween: db.prepare(`SELECT id FROM scrapes WHERE epoch_id = ? AND id BETWEEN ? AND ? AND outcome = 'ok' ORDER BY id`),
      stackValuesOf: db
        .prepare(`SELECT stack_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects FROM stack_values WHERE scrape_id = ?`)
        .raw(),
      stackFrames: db.prepare(`SELECT id, frames FROM stacks WHERE id IN (SELECT value FROM json_each(?))`),
      functionNames: db.prepare(`SELECT id, name, filename FROM functions WHERE id IN (SELECT value FROM json_each(?))`),
      rawProfile: db.prepare(`SELECT bytes FROM profiles WHERE scrape_id = ?`),
    };
  }

  finding(id: number): StoredFinding | undefined {
    const r = this.#stmts.finding.get(id) as FindingRow | undefined;
    return r ? findingFromRow(r) : undefined;
  }

  /** The stored ok scrapes of an epoch, oldest first. */
  scrapes(epochId: number): ScrapePoint[] {
    return (this.#stmts.okScrapes.all(epochId) as { scrapeId: number; t: number; keyframe: number }[]).map((r) => ({ ...r, keyframe: r.keyframe === 1 }));
  }

  /** Ids of the stacks that contain `functionName` anywhere (its cumulative inuse). */
  stacksWith(functionName: string): number[] {
    const fn = this.#stmts.functionId.get(functionName) as { id: number } | undefined;
    if (!fn) return [];
    // LIKE narrows on the id's digits; the JSON parse decides.
    const rows = this.#stmts.stacksLike.all(`%${fn.id}%`) as { id: number; frames: string }[];
    return rows.filter((r) => (JSON.parse(r.frames) as number[]).includes(fn.id)).map((r) => r.id);
  }

  /** Heap total and the tracked stacks' inuse at every ok scrape of the epoch, rebuilt keyframe + deltas. */
  stackSeries(epochId: number, stackIds: readonly number[]): SeriesPoint[] {
    return runningSeries(this.#stmts.trackedSeries.all(JSON.stringify(stackIds), epochId) as RawSeriesRow[]);
  }

  /** Heap total and one function's flat inuse at every ok scrape of the epoch. */
  functionSeries(epochId: number, functionName: string): SeriesPoint[] {
    const fn = this.#stmts.functionId.get(functionName) as { id: number } | undefined;
    return runningSeries(this.#stmts.functionSeries.all(fn?.id ?? -1, epochId) as RawSeriesRow[]);
  }

  /** Heap total of every stored profile of a target, all epochs. */
  targetTotals(targetId: number): { t: number; total: number; epochId: number }[] {
    return this.#stmts.targetTotals.all(targetId) as { t: number; total: number; epochId: number }[];
  }

  /** Every stack's state as of `scrapeId`: nearest keyframe plus the deltas after it. */
  stackState(epochId: number, scrapeId: number): StackState {
    const kf = this.#stmts.keyframeAtOrBefore.get(epochId, scrapeId) as { id: number } | undefined;
    const out: StackState = new Map();
    if (!kf) return out;
    // Summed here, scrape by scrape along the primary key: SQLite's GROUP BY over a
    // big keyframe sorts every row into a temporary b-tree first, which took longer.
    const scrapes = this.#stmts.okScrapeIdsBetween.pluck().all(epochId, kf.id, scrapeId) as number[];
    for (const id of scrapes) {
      for (const [stack, b, o, ab, ao] of this.#stmts.stackValuesOf.iterate(id) as Iterable<[number, number, number, number, number]>) {
        const v = out.get(stack);
        if (v) {
          v[0] += b;
          v[1] += o;
          v[2] += ab;
          v[3] += ao;
        } else out.set(stack, [b, o, ab, ao]);
      }
    }
    for (const [stack, v] of out) if (v[0] === 0 && v[1] === 0 && v[2] === 0 && v[3] === 0) out.delete(stack);
    return out;
  }

  /** Function ids of each stack, leaf first. */
  frames(stackIds: Iterable<number>): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const missing: number[] = [];
    for (const id of stackIds) {
      const cached = this.#framesCache.get(id);
      if (cached) out.set(id, cached);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    // A stack's frames never change (a dictionary row): parsed once, kept up to a bound.
    if (this.#framesCache.size + missing.length > FRAMES_CACHE_MAX) this.#framesCache.clear();
    for (const r of this.#stmts.stackFrames.all(JSON.stringify(missing)) as { id: number; frames: string }[]) {
      const frames = JSON.parse(r.frames) as number[];
      out.set(r.id, frames);
      if (missing.length <= FRAMES_CACHE_MAX) this.#framesCache.set(r.id, frames);
    }
    return out;
  }

  functions(ids: Iterable<number>): Map<number, { name: string; filename: string }> {
    const rows = this.#stmts.functionNames.all(JSON.stringify([...ids])) as { id: number; name: string; filename: string }[];
    return new Map(rows.map((r) => [r.id, { name: r.name, filename: r.filename }]));
  }

  /** The raw profile kept for a scrape, if retention kept one. */
  rawProfile(scrapeId: number): Buffer | undefined {
    return (this.#stmts.rawProfile.get(scrapeId) as { bytes: Buffer } | undefined)?.bytes;
  }
}

interface RawSeriesRow {
  id: number;
  t: number;
  keyframe: number;
  total: number;
  d: number;
}

/** Keyframe rows are absolute, other rows are changes: a running sum reset at each keyframe. */
function runningSeries(rows: readonly RawSeriesRow[]): SeriesPoint[] {
  let value = 0;
  return rows.map((r) => {
    value = r.keyframe === 1 ? r.d : value + r.d;
    return { t: r.t, total: r.total, value };
  });
}
