/**
 * Writes scrapes: the scrape row, per-function and per-stack inuse deltas
 * (or keyframes), epoch changes and raw profile bytes, in one transaction per
 * scrape, so a crash leaves either the whole scrape or none of it.
 */
import { HeapwatchError, type ErrorRecord } from '../errors.js';
import { EpochTracker, type Transition } from '../pprof/epoch.js';
import { forEachInuseStack, type HeapProfile } from '../pprof/profile.js';
import type { ProfileOrigin } from '../targets/origin.js';
import type { Db } from './db.js';
import { StackDictionary } from './dictionary.js';
import { forEachChange, mergeIds, ValueTableBuilder, type ValueTable } from './value-table.js';

export interface WriterOptions {
  /** A full keyframe every N stored scrapes of an epoch (the first is always one). */
  keyframeEvery: number;
  /** Raw profiles kept per target besides epoch-start and hourly ones. */
  keepLatestProfiles: number;
  /**
   * Rows of periodic keyframes written per second across all targets, at
   * most (default 100,000). A periodic keyframe due while the budget is spent
   * is postponed (the scrape is stored as a delta) by up to `keyframeEvery`
   * more scrapes; an epoch's first keyframe is never postponed.
   */
  keyframeRowsPerSecond?: number;
  /**
   * Start each target's keyframe period at a stable per-target phase (default
   * true), so targets that started together do not write their periodic
   * keyframes in the same cycle. False: every `keyframeEvery` scrapes from
   * the epoch's first.
   */
  spreadKeyframes?: boolean;
}

export interface SuccessfulScrape {
  target: ProfileOrigin;
  startedAt: number;
  durationMs: number;
  body: Uint8Array;
  profile: HeapProfile;
  /** From a new process, as its source knows (ProfileArrival.newProcess). */
  newProcess?: boolean;
}

export interface FailedScrape {
  target: ProfileOrigin;
  startedAt: number;
  durationMs: number;
  error: ErrorRecord;
  bodyBytes?: number;
}

export interface AppendResult {
  scrapeId: number;
  targetId: number;
  epochId: number;
  transition: Transition;
  keyframe: boolean;
}

/** What the writer remembers per target between scrapes, to compute deltas. */
interface TargetState {
  targetId: number;
  epochId: number;
  /** Decides each profile's epoch (pprof/epoch.ts); the writer writes what it decides. */
  epochs: EpochTracker;
  /** Absolute values as of the last stored scrape (sorted typed arrays); undefined forces a keyframe. */
  functions: ValueTable | undefined;
  stacks: ValueTable | undefined;
  sinceKeyframe: number;
  lastProfileHour: number;
  profilesSincePrune: number;
  /** Function ids already recorded in epoch_functions for this epoch, sorted. */
  epochFunctions: Uint32Array;
}

const PRUNE_EVERY = 10;
const DEFAULT_KEYFRAME_ROWS_PER_SECOND = 100_000;

export class StoreWriter {
  readonly #db: Db;
  readonly #opts: WriterOptions;
  readonly #state = new Map<string, TargetState>();
  readonly #dictionary: StackDictionary;
  /** One stack's global function ids, reused for every stack of every scrape. */
  #scratch = new Uint32Array(256);
  readonly #functionValues = new ValueTableBuilder();
  readonly #stackValues = new ValueTableBuilder();
  /** Stack id -> [bytes, objects] in large objects, of the scrape being written (migration 008). */
  readonly #largeValues = new Map<number, [number, number]>();
  /** Token bucket of periodic-keyframe rows (may go negative after an epoch's first keyframe). */
  readonly #budget: { rate: number; tokens: number; at: number };
  /** Rows written by the last append (function and stack values): the store work of that scrape. */
  lastRowsWritten = 0;
  readonly #stmts;

  constructor(db: Db, opts: WriterOptions) {
    this.#db = db;
    this.#opts = opts;
    this.#dictionary = new StackDictionary(db);
    const rate = opts.keyframeRowsPerSecond ?? DEFAULT_KEYFRAME_ROWS_PER_SECOND;
    this.#budget = { rate, tokens: rate, at: performance.now() };
    this.#stmts = {
      upsertTarget: db.prepare(
        `INSERT INTO targets (key, url, labels, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET url = excluded.url, labels = excluded.labels, last_seen = excluded.last_seen
         RETURNING id`,
      ),
      lastOkScrape: db.prepare(
        `SELECT s.epoch_id AS epochId, s.inuse_bytes AS inuseBytes, s.inuse_objects AS inuseObjects,
                s.alloc_bytes AS allocBytes, s.alloc_objects AS allocObjects, e.build_id AS buildId
           FROM scrapes s JOIN epochs e ON e.id = s.epoch_id
          WHERE s.target_id = ? AND s.outcome IN ('ok', 'stale') AND e.ended_at IS NULL
          ORDER BY s.id DESC LIMIT 1`,
      ),
      lastProfileHour: db.prepare(`SELECT MAX(ts) AS ts FROM profiles WHERE target_id = ? AND hourly = 1`),
      endEpoch: db.prepare(`UPDATE epochs SET ended_at = ? WHERE id = ?`),
      newEpoch: db.prepare(`INSERT INTO epochs (target_id, started_at, reason, build_id) VALUES (?, ?, ?, ?) RETURNING id`),
      insertScrape: db.prepare(
        `INSERT INTO scrapes (target_id, epoch_id, ts, profile_time, duration_ms, outcome, error_code, error_message,
                              body_bytes, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects, keyframe, large_split)
         VALUES (@targetId, @epochId, @ts, @profileTime, @durationMs, @outcome, @errorCode, @errorMessage,
                 @bodyBytes, @inuseBytes, @inuseObjects, @allocBytes, @allocObjects, @keyframe, @largeSplit)
         RETURNING id`,
      ),
      functionValue: db.prepare(`INSERT INTO function_values (scrape_id, function_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects) VALUES (?, ?, ?, ?, ?, ?)`),
      stackValue: db.prepare(`INSERT INTO stack_values (scrape_id, stack_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects) VALUES (?, ?, ?, ?, ?, ?)`),
      stackLargeValue: db.prepare(`INSERT INTO stack_large_values (scrape_id, stack_id, large_bytes, large_objects) VALUES (?, ?, ?, ?)`),
      epochFunction: db.prepare(`INSERT OR IGNORE INTO epoch_functions (epoch_id, function_id) VALUES (?, ?)`),
      epochModule: db.prepare(`INSERT OR IGNORE INTO epoch_modules (epoch_id, module, version) VALUES (?, ?, ?)`),
      insertProfile: db.prepare(
        `INSERT INTO profiles (scrape_id, target_id, ts, epoch_start, hourly, bytes) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      pruneLatestProfiles: db.prepare(
        `DELETE FROM profiles WHERE target_id = @targetId AND epoch_start = 0 AND hourly = 0 AND id NOT IN (
           SELECT id FROM profiles WHERE target_id = @targetId AND epoch_start = 0 AND hourly = 0 ORDER BY id DESC LIMIT @keep)`,
      ),
    };
  }

  /** Records a successful scrape. Throws HW_ERR_STORE_WRITE; on error nothing of the scrape is stored. */
  appendProfile(s: SuccessfulScrape): AppendResult {
    return this.#write(s.target.key, () => this.#appendProfile(s));
  }

  /** Records a failed scrape (no epoch change, no values). */
  appendFailure(f: FailedScrape): { scrapeId: number; targetId: number } {
    return this.#write(f.target.key, () => {
      const targetId = this.#targetId(f.target, f.startedAt);
      const row = this.#stmts.insertScrape.get({
        targetId,
        epochId: this.#state.get(f.target.key)?.epochId ?? null,
        ts: f.startedAt,
        profileTime: null,
        durationMs: f.durationMs,
        outcome: 'error',
        errorCode: f.error.code,
        errorMessage: f.error.message,
        bodyBytes: f.bodyBytes ?? null,
        inuseBytes: null,
        inuseObjects: null,
        allocBytes: null,
        allocObjects: null,
        keyframe: 0,
        largeSplit: 0,
      }) as { id: number };
      return { scrapeId: row.id, targetId };
    });
  }

  /** Creates or refreshes a target row and returns its id (the API's target id). */
  registerTarget(target: ProfileOrigin, now = Date.now()): number {
    return this.#targetId(target, now);
  }

  /** Forgets in-memory delta state, e.g. for a target that left the config. */
  forget(targetKey: string): void {
    this.#state.delete(targetKey);
  }

  #write<T>(targetKey: string, fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      // Refused before anything was written; what it remembered stays.
      if (err instanceof HeapwatchError && err.code === 'HW_ERR_EPOCH_FLAPPING') throw err;
      // The transaction rolled back. Drop what we remembered of it, so the
      // next scrape reloads its state from what is really stored (and writes
      // a keyframe), and no cached dictionary id points at a rolled-back row.
      this.#state.delete(targetKey);
      this.#dictionary.forget();
      if (err instanceof HeapwatchError) throw err;
      throw new HeapwatchError('HW_ERR_STORE_WRITE', (err as Error).message, { cause: err });
    }
  }

  #targetId(target: ProfileOrigin, now: number): number {
    const row = this.#stmts.upsertTarget.get(target.key, target.url, JSON.stringify(target.labels), now, now) as { id: number };
    return row.id;
  }

  #appendProfile(s: SuccessfulScrape): AppendResult {
    const targetId = this.#targetId(s.target, s.startedAt);
    const state = this.#state.get(s.target.key) ?? this.#loadState(targetId);
    const epoch = state.epochs.decide(s.profile, s.newProcess);
    const { transition, summary } = epoch;
    const ts = s.startedAt;
    if (epoch.flapping) {
      // Compared with the next profile: the streak goes on while processes alternate.
      state.epochs.commit(epoch);
      this.#state.set(s.target.key, state);
      throw new HeapwatchError('HW_ERR_EPOCH_FLAPPING', `${epoch.restartStreak} new processes in a row at ${s.target.url}; this one was not stored`);
    }

    const epochStart = transition === 'first' || transition === 'restart' || transition === 'build_changed';
    if (epochStart) {
      if (state.epochId) this.#stmts.endEpoch.run(ts, state.epochId);
      const row = this.#stmts.newEpoch.get(targetId, ts, transition === 'first' ? 'first' : transition, summary.buildId) as { id: number };
      state.epochId = row.id;
      state.functions = undefined;
      state.stacks = undefined;
      state.epochFunctions = new Uint32Array(0);
    }
    const stale = transition === 'stale';
    const keyframe = !stale && this.#keyframeDue(state);

    const scrapeRow = this.#stmts.insertScrape.get({
      targetId,
      epochId: state.epochId,
      ts,
      profileTime: s.profile.timeMs || null,
      durationMs: s.durationMs,
      outcome: stale ? 'stale' : 'ok',
      errorCode: null,
      errorMessage: null,
      bodyBytes: s.body.length,
      inuseBytes: summary.inuseBytes,
      inuseObjects: summary.inuseObjects,
      allocBytes: summary.allocBytes,
      allocObjects: summary.allocObjects,
      keyframe: keyframe ? 1 : 0,
      largeSplit: stale ? 0 : 1,
    }) as { id: number };
    const scrapeId = scrapeRow.id;

    this.lastRowsWritten = 0;
    if (!stale) {
      const { functions, stacks } = this.#absoluteValues(s.profile, state);
      const fv = this.#stmts.functionValue;
      const sv = this.#stmts.stackValue;
      const rows =
        forEachChange(functions, keyframe ? undefined : state.functions, (id, b, o, ab, ao) => fv.run(scrapeId, id, b, o, ab, ao)) +
        forEachChange(stacks, keyframe ? undefined : state.stacks, (id, b, o, ab, ao) => sv.run(scrapeId, id, b, o, ab, ao));
      // Absolute, every scrape: only stacks holding large objects have a row.
      for (const [id, [b, o]] of this.#largeValues) this.#stmts.stackLargeValue.run(scrapeId, id, b, o);
      if (keyframe) this.#budget.tokens -= rows;
      this.lastRowsWritten = rows + this.#largeValues.size;
      const firstOfEpoch = state.functions === undefined && this.#opts.spreadKeyframes !== false;
      state.functions = functions;
      state.stacks = stacks;
      state.sinceKeyframe = !keyframe ? state.sinceKeyframe + 1 : firstOfEpoch ? keyframePhase(s.target.key, this.#opts.keyframeEvery) : 0;
      for (const m of s.profile.modules) this.#stmts.epochModule.run(state.epochId, m.path, m.version);
    }
    // Inside the transaction: a rollback drops this state (see #write) and the tracker is resumed from what is stored.
    state.epochs.commit(epoch);
    this.#storeRawProfile(s, targetId, scrapeId, state, epochStart);
    this.#state.set(s.target.key, state);
    return { scrapeId, targetId, epochId: state.epochId, transition, keyframe };
  }

  /** After a daemon restart: continue the open epoch, with a keyframe next. */
  #loadState(targetId: number): TargetState {
    const last = this.#stmts.lastOkScrape.get(targetId) as
      | { epochId: number; inuseBytes: number; inuseObjects: number; allocBytes: number; allocObjects: number; buildId: string }
      | undefined;
    const hour = (this.#stmts.lastProfileHour.get(targetId) as { ts: number | null }).ts;
    return {
      targetId,
      epochId: last?.epochId ?? 0,
      epochs: new EpochTracker(
        last
          ? { buildId: last.buildId, allocBytes: last.allocBytes, allocObjects: last.allocObjects, inuseBytes: last.inuseBytes, inuseObjects: last.inuseObjects }
          : undefined,
      ),
      functions: undefined,
      stacks: undefined,
      sinceKeyframe: 0,
      lastProfileHour: hour === null ? -1 : Math.floor(hour / 3_600_000),
      profilesSincePrune: PRUNE_EVERY - 1,
      epochFunctions: new Uint32Array(0),
    };
  }

  /**
   * An epoch's first scrape always is a keyframe. A periodic one is due
   * every `keyframeEvery` scrapes, and is postponed while the fleet-wide
   * row budget is spent, by at most another `keyframeEvery` scrapes.
   */
  #keyframeDue(state: TargetState): boolean {
    if (state.functions === undefined) return true;
    const every = this.#opts.keyframeEvery;
    if (state.sinceKeyframe + 1 < every) return false;
    if (state.sinceKeyframe + 1 >= 2 * every) return true;
    const b = this.#budget;
    const now = performance.now();
    b.tokens = Math.min(b.rate, b.tokens + ((now - b.at) / 1000) * b.rate);
    b.at = now;
    return b.tokens > 0;
  }

  #absoluteValues(profile: HeapProfile, state: TargetState): { functions: ValueTable; stacks: ValueTable } {
    const fnIds = new Uint32Array(profile.functions.length);
    for (let i = 0; i < fnIds.length; i++) fnIds[i] = this.#dictionary.functionId(profile.functions[i]!.name, profile.functions[i]!.filename);
    const { added, union } = mergeIds(state.epochFunctions, fnIds.slice().sort());
    for (const id of added) this.#stmts.epochFunction.run(state.epochId, id);
    state.epochFunctions = union;
    const functions = this.#functionValues;
    const stacks = this.#stackValues;
    functions.clear();
    stacks.clear();
    const large = this.#largeValues;
    large.clear();
    forEachInuseStack(profile, (local, b, o, ab, ao, lb, lo) => {
      const n = local.length;
      if (n === 0) return;
      if (n > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(n, 2 * this.#scratch.length));
      const frames = this.#scratch;
      for (let k = 0; k < n; k++) frames[k] = fnIds[local[k]!]!;
      functions.add(frames[0]!, b, o, ab, ao);
      const stackId = this.#dictionary.stackId(frames, n);
      stacks.add(stackId, b, o, ab, ao);
      if (lo > 0) {
        // Stacks that differ only in inlining or line share an id: summed.
        const v = large.get(stackId);
        if (v) {
          v[0] += lb;
          v[1] += lo;
        } else large.set(stackId, [lb, lo]);
      }
    });
    return { functions: functions.build(), stacks: stacks.build() };
  }

  #storeRawProfile(s: SuccessfulScrape, targetId: number, scrapeId: number, state: TargetState, epochStart: boolean): void {
    const hour = Math.floor(s.startedAt / 3_600_000);
    const hourly = hour !== state.lastProfileHour;
    if (!epochStart && !hourly && this.#opts.keepLatestProfiles === 0) return;
    this.#stmts.insertProfile.run(scrapeId, targetId, s.startedAt, epochStart ? 1 : 0, hourly ? 1 : 0, s.body);
    if (hourly) state.lastProfileHour = hour;
    // Pruning is amortised: at most `keep + PRUNE_EVERY` latest profiles exist between prunes.
    if (++state.profilesSincePrune >= PRUNE_EVERY) {
      state.profilesSincePrune = 0;
      this.#stmts.pruneLatestProfiles.run({ targetId, keep: this.#opts.keepLatestProfiles });
    }
  }
}

/** A stable per-target offset in 0..every-1 (FNV-1a of the target key). */
export function keyframePhase(targetKey: string, every: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < targetKey.length; i++) h = Math.imul(h ^ targetKey.charCodeAt(i), 0x01000193);
  return (h >>> 0) % every;
}
