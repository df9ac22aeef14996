/**
 * Read side of the store: rebuilds state at any scrape from the nearest
 * keyframe plus the deltas after it, and answers the API's queries.
 */
import type { Db } from './db.js';

/** A target as stored: the stable identity and labels. */
export interface TargetRow {
  id: number;
  key: string;
  url: string;
  labels: Record<string, string>;
}

/** One stored scrape: when, how it went and the profile totals. */
export interface ScrapeRow {
  id: number;
  targetId: number;
  epochId: number | null;
  ts: number;
  profileTime: number | null;
  durationMs: number;
  outcome: 'ok' | 'stale' | 'error';
  errorCode: string | null;
  errorMessage: string | null;
  bodyBytes: number | null;
  inuseBytes: number | null;
  inuseObjects: number | null;
  allocBytes: number | null;
  allocObjects: number | null;
  keyframe: number;
}

/** One function's inuse now and at the start of the window, and its growth rate. */
export interface FunctionGrowth {
  name: string;
  filename: string;
  inuseBytes: number;
  inuseObjects: number;
  startBytes: number;
  startObjects: number;
  deltaBytes: number;
  bytesPerHour: number;
}

/** A target's functions over a window of its current epoch, as the API and the function export show them. */
export interface FunctionsView {
  epochId: number;
  from: { scrapeId: number; ts: number };
  to: { scrapeId: number; ts: number };
  functions: FunctionGrowth[];
}

/**
 * One stack at one point: [inuse bytes, inuse objects, alloc bytes since the
 * previous point], then [bytes, objects] of its inuse in large objects when
 * the scrape recorded them (absent for scrapes stored before migration 008).
 */
export type StackHistoryValues = readonly [number, number, number] | readonly [number, number, number, number, number];

/** An epoch's per-stack history, to seed a detection session after a restart. */
export interface StackHistory {
  /**
   * One point per stored scrape, oldest first, produced lazily: the map is
   * reused from one point to the next, so a day of a large profile's history
   * is never held at once (copy what you keep).
   */
  points: Iterable<{ t: number; totalBytes: number; allocBytes: number; stacks: ReadonlyMap<number, StackHistoryValues> }>;
  /** Function names of each stack id, leaf first. */
  frames: Map<number, string[]>;
  modules: Map<string, string>;
  functions: Set<string>;
}

/** A kept raw profile (without its bytes) and why it was kept. */
export interface ProfileRow {
  id: number;
  scrapeId: number;
  ts: number;
  epochStart: boolean;
  hourly: boolean;
  size: number;
}

const SCRAPE_COLUMNS = `id, target_id AS targetId, epoch_id AS epochId, ts, profile_time AS profileTime, duration_ms AS durationMs,
  outcome, error_code AS errorCode, error_message AS errorMessage, body_bytes AS bodyBytes, inuse_bytes AS inuseBytes,
  inuse_objects AS inuseObjects, alloc_bytes AS allocBytes, alloc_objects AS allocObjects, keyframe`;

/** The read side of the store (see above); the API, the export and restarts read through it. */
export class StoreReader {
  readonly #db: Db;
  readonly #stmts;

  constructor(db: Db) {
    this.#db = db;
    this.#stmts = {
      targetByKey: db.prepare(`SELECT id, key, url, labels FROM targets WHERE key = ?`),
      targetById: db.prepare(`SELECT id, key, url, labels FROM targets WHERE id = ?`),
      lastError: db.prepare(`SELECT ${SCRAPE_COLUMNS} FROM scrapes WHERE target_id = ? AND outcome = 'error' ORDER BY id DESC LIMIT 1`),
      currentEpoch: db.prepare(`SELECT id, started_at AS startedAt FROM epochs WHERE target_id = ? ORDER BY id DESC LIMIT 1`),
      lastOkInEpoch: db.prepare(`SELECT ${SCRAPE_COLUMNS} FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' ORDER BY id DESC LIMIT 1`),
      okAtOrBefore: db.prepare(
        `SELECT ${SCRAPE_COLUMNS} FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' AND ts <= ? ORDER BY id DESC LIMIT 1`,
      ),
      firstOkInEpoch: db.prepare(`SELECT ${SCRAPE_COLUMNS} FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' ORDER BY id LIMIT 1`),
      keyframeAtOrBefore: db.prepare(
        `SELECT id FROM scrapes WHERE epoch_id = ? AND keyframe = 1 AND id <= ? ORDER BY id DESC LIMIT 1`,
      ),
      functionState: db.prepare(
        `SELECT v.function_id AS id, SUM(v.inuse_bytes) AS bytes, SUM(v.inuse_objects) AS objects
           FROM scrapes s JOIN function_values v ON v.scrape_id = s.id
          WHERE s.epoch_id = ? AND s.id BETWEEN ? AND ?
          GROUP BY v.function_id`,
      ),
      functionNames: db.prepare(`SELECT id, name, filename FROM functions WHERE id IN (SELECT value FROM json_each(?))`),
      scrapesInRange: db.prepare(`SELECT ${SCRAPE_COLUMNS} FROM scrapes WHERE target_id = ? AND ts >= ? AND ts <= ? ORDER BY id`),
      profiles: db.prepare(
        `SELECT id, scrape_id AS scrapeId, ts, epoch_start AS epochStart, hourly, length(bytes) AS size
           FROM profiles WHERE target_id = ? ORDER BY ts DESC LIMIT ?`,
      ),
      profileBytes: db.prepare(`SELECT bytes, ts FROM profiles WHERE target_id = ? AND id = ?`),
      epochModules: db.prepare(`SELECT module, version FROM epoch_modules WHERE epoch_id = ? ORDER BY module`),
    };
  }

  target(id: number): TargetRow | undefined {
    const row = this.#stmts.targetById.get(id) as RawTarget | undefined;
    return row && parseTarget(row);
  }

  targetByKey(key: string): TargetRow | undefined {
    const row = this.#stmts.targetByKey.get(key) as RawTarget | undefined;
    return row && parseTarget(row);
  }

  lastError(targetId: number): ScrapeRow | undefined {
    return this.#stmts.lastError.get(targetId) as ScrapeRow | undefined;
  }

  scrapes(targetId: number, fromTs = 0, toTs = Number.MAX_SAFE_INTEGER): ScrapeRow[] {
    return this.#stmts.scrapesInRange.all(targetId, fromTs, toTs) as ScrapeRow[];
  }

  currentEpoch(targetId: number): { id: number; startedAt: number } | undefined {
    return this.#stmts.currentEpoch.get(targetId) as { id: number; startedAt: number } | undefined;
  }

  modules(epochId: number): { module: string; version: string }[] {
    return this.#stmts.epochModules.all(epochId) as { module: string; version: string }[];
  }

  /** Flat inuse per function id as of a scrape: nearest keyframe plus the deltas after it. */
  functionStateAt(epochId: number, scrapeId: number): Map<number, [number, number]> {
    const kf = this.#stmts.keyframeAtOrBefore.get(epochId, scrapeId) as { id: number } | undefined;
    if (!kf) return new Map();
    const rows = this.#stmts.functionState.all(epochId, kf.id, scrapeId) as { id: number; bytes: number; objects: number }[];
    const out = new Map<number, [number, number]>();
    for (const r of rows) if (r.bytes !== 0 || r.objects !== 0) out.set(r.id, [r.bytes, r.objects]);
    return out;
  }

  /**
   * Inuse per function now and at the start of the window, within the current
   * process epoch (a window reaching back past a restart starts at the restart).
   */
  functionsView(targetId: number, windowMs: number, sort: 'growth' | 'inuse', limit: number): FunctionsView | undefined {
    const epoch = this.currentEpoch(targetId);
    if (!epoch) return undefined;
    const to = this.#stmts.lastOkInEpoch.get(epoch.id) as ScrapeRow | undefined;
    if (!to) return undefined;
    const from =
      (this.#stmts.okAtOrBefore.get(epoch.id, to.ts - windowMs) as ScrapeRow | undefined) ??
      (this.#stmts.firstOkInEpoch.get(epoch.id) as ScrapeRow);
    const now = this.functionStateAt(epoch.id, to.id);
    const start = this.functionStateAt(epoch.id, from.id);
    const ids = new Set([...now.keys(), ...start.keys()]);
    const names = new Map(
      (this.#stmts.functionNames.all(JSON.stringify([...ids])) as { id: number; name: string; filename: string }[]).map((r) => [r.id, r]),
    );
    const hours = (to.ts - from.ts) / 3_600_000;
    const functions: FunctionGrowth[] = [];
    for (const id of ids) {
      const [nb, no] = now.get(id) ?? [0, 0];
      const [sb, so] = start.get(id) ?? [0, 0];
      const fn = names.get(id);
      functions.push({
        name: fn?.name ?? `#${id}`,
        filename: fn?.filename ?? '',
        inuseBytes: nb,
        inuseObjects: no,
        startBytes: sb,
        startObjects: so,
        deltaBytes: nb - sb,
        bytesPerHour: hours > 0 ? (nb - sb) / hours : 0,
      });
    }
    const key = sort === 'growth' ? (f: FunctionGrowth) => f.deltaBytes : (f: FunctionGrowth) => f.inuseBytes;
    functions.sort((a, b) => key(b) - key(a) || a.name.localeCompare(b.name));
    return {
      epochId: epoch.id,
      from: { scrapeId: from.id, ts: from.ts },
      to: { scrapeId: to.id, ts: to.ts },
      functions: functions.slice(0, limit),
    };
  }

  /**
   * The per-stack history of an epoch from `fromTs` up to (not including)
   * scrape `beforeScrapeId`, rebuilt from keyframes and deltas: what the
   * detectors need after a daemon restart.
   */
  stackHistory(epochId: number, fromTs: number, beforeScrapeId: number): StackHistory {
    const db = this.#db;
    const first = db
      .prepare(`SELECT id FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' AND ts >= ? AND id < ? ORDER BY id LIMIT 1`)
      .get(epochId, fromTs, beforeScrapeId) as { id: number } | undefined;
    const empty: StackHistory = { points: [], frames: new Map(), modules: new Map(), functions: new Set() };
    if (!first) return empty;
    const kf = this.#stmts.keyframeAtOrBefore.get(epochId, first.id) as { id: number } | undefined;
    if (!kf) return empty;
    const scrapes = db
      .prepare(
        `SELECT id, ts, profile_time AS profileTime, inuse_bytes AS inuseBytes, alloc_bytes AS allocBytes, keyframe, large_split AS largeSplit
           FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' AND id >= ? AND id < ? ORDER BY id`,
      )
      .all(epochId, kf.id, beforeScrapeId) as {
      id: number;
      ts: number;
      profileTime: number | null;
      inuseBytes: number;
      allocBytes: number | null;
      keyframe: number;
      largeSplit: number;
    }[];
    const stackIds = new Set(
      db
        .prepare(`SELECT DISTINCT v.stack_id FROM scrapes s JOIN stack_values v ON v.scrape_id = s.id WHERE s.epoch_id = ? AND s.id >= ? AND s.id < ?`)
        .pluck()
        .all(epochId, kf.id, beforeScrapeId) as number[],
    );
    const valuesOf = db.prepare(`SELECT stack_id AS stackId, inuse_bytes AS b, inuse_objects AS o, alloc_bytes AS a FROM stack_values WHERE scrape_id = ?`);
    const largeOf = db.prepare(`SELECT stack_id, large_bytes, large_objects FROM stack_large_values WHERE scrape_id = ?`).raw();
    // Rebuilt one scrape at a time: keyframe, then deltas, into reused maps.
    // A point carries [inuse bytes, inuse objects, alloc bytes since the
    // previous point], and the stack's inuse in large objects [bytes,
    // objects] where the scrape recorded it (migration 008).
    function* points(): Generator<{ t: number; totalBytes: number; allocBytes: number; stacks: ReadonlyMap<number, StackHistoryValues> }> {
      const state = new Map<number, [number, number, number]>();
      const out = new Map<number, StackHistoryValues>();
      let prevAlloc = new Map<number, number>();
      for (const s of scrapes) {
        if (s.keyframe) state.clear();
        for (const v of valuesOf.all(s.id) as { stackId: number; b: number; o: number; a: number }[]) {
          const prev = state.get(v.stackId) ?? [0, 0, 0];
          const next: [number, number, number] = [prev[0] + v.b, prev[1] + v.o, prev[2] + v.a];
          if (next[0] === 0 && next[1] === 0) state.delete(v.stackId);
          else state.set(v.stackId, next);
        }
        out.clear();
        const alloc = new Map<number, number>();
        const large = s.largeSplit && s.ts >= fromTs ? new Map((largeOf.all(s.id) as [number, number, number][]).map(([id, lb, lo]) => [id, [lb, lo] as const])) : undefined;
        for (const [id, [b, o, a]] of state) {
          const before = prevAlloc.get(id);
          const allocDelta = before === undefined ? 0 : Math.max(0, a - before);
          const l = large?.get(id);
          out.set(id, large ? [b, o, allocDelta, l?.[0] ?? 0, l?.[1] ?? 0] : [b, o, allocDelta]);
          alloc.set(id, a);
        }
        prevAlloc = alloc;
        if (s.ts >= fromTs) yield { t: s.profileTime ?? s.ts, totalBytes: s.inuseBytes, allocBytes: s.allocBytes ?? 0, stacks: out };
      }
    }
    const frames = new Map<number, string[]>();
    const names = new Map(
      (db.prepare(`SELECT id, name FROM functions`).all() as { id: number; name: string }[]).map((r) => [r.id, r.name]),
    );
    const stackRows = db.prepare(`SELECT id, frames FROM stacks WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...stackIds])) as {
      id: number;
      frames: string;
    }[];
    for (const r of stackRows) frames.set(r.id, (JSON.parse(r.frames) as number[]).map((f) => names.get(f) ?? `#${f}`));
    const modules = new Map(this.modules(epochId).map((m) => [m.module, m.version]));
    const functions = new Set(
      db.prepare(`SELECT f.name FROM epoch_functions e JOIN functions f ON f.id = e.function_id WHERE e.epoch_id = ?`).pluck().all(epochId) as string[],
    );
    return { points: points(), frames, modules, functions };
  }

  profiles(targetId: number, limit: number): ProfileRow[] {
    return (this.#stmts.profiles.all(targetId, limit) as (Omit<ProfileRow, 'epochStart' | 'hourly'> & { epochStart: number; hourly: number })[]).map(
      (r) => ({ ...r, epochStart: r.epochStart === 1, hourly: r.hourly === 1 }),
    );
  }

  profileBytes(targetId: number, profileId: number): { bytes: Buffer; ts: number } | undefined {
    return this.#stmts.profileBytes.get(targetId, profileId) as { bytes: Buffer; ts: number } | undefined;
  }

}

interface RawTarget {
  id: number;
  key: string;
  url: string;
  labels: string;
}

function parseTarget(r: RawTarget): TargetRow {
  return { id: r.id, key: r.key, url: r.url, labels: JSON.parse(r.labels) as Record<string, string> };
}
