/**
 * Writes scrapes: the scrape row, per-function and per-stack inuse deltas
 * (or keyframes), epoch changes and raw profile bytes, in one transaction per
 * scrape, so a crash leaves either the whole scrape or none of it.
 */
import { createHash } from 'node:crypto';
import { HeapwatchError, type ErrorRecord } from '../errors.js';
import { classifyTransition, summarize, type ProfileSummary, type Transition } from '../pprof/epoch.js';
import { FrameSequenceMap } from '../pprof/frame-sequences.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import type { Target } from '../targets/target.js';
import type { Db } from './db.js';

export interface WriterOptions {
  /** A full keyframe every N stored scrapes of an epoch (the first is always one). */
  keyframeEvery: number;
  /** Raw profiles kept per target besides epoch-start and hourly ones. */
  keepLatestProfiles: number;
}

export interface SuccessfulScrape {
  target: Target;
  startedAt: number;
  durationMs: number;
  body: Uint8Array;
  profile: HeapProfile;
}

export interface FailedScrape {
  target: Target;
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

/** inuse bytes and objects, alloc bytes and objects (cumulative since the process started). */
type Pair = [bytes: number, objects: number, allocBytes: number, allocObjects: number];

/** What the writer remembers per target between scrapes, to compute deltas. */
interface TargetState {
  targetId: number;
  epochId: number;
  summary: ProfileSummary | undefined;
  /** Absolute values as of the last stored scrape; undefined forces a keyframe. */
  functions: Map<number, Pair> | undefined;
  stacks: Map<number, Pair> | undefined;
  sinceKeyframe: number;
  lastProfileHour: number;
  profilesSincePrune: number;
  epochFunctions: Set<number>;
  /** Consecutive scrapes that each looked like a new process (see flapHoldsBack). */
  restartStreak: number;
}

const PRUNE_EVERY = 10;

/**
 * Epoch flapping: counters that go down on every scrape (two processes behind
 * one URL) would open a new epoch, and write a full keyframe, every time.
 * From the 3rd restart in a row, a new epoch is only opened on the 4th, 8th,
 * 16th, 32nd and then every 64th; the others are refused with
 * HW_ERR_EPOCH_FLAPPING (recorded, counted, shown in the API).
 */
function flapHoldsBack(streak: number): boolean {
  if (streak < 3) return false;
  if (streak <= 64) return (streak & (streak - 1)) !== 0;
  return streak % 64 !== 0;
}

export class StoreWriter {
  readonly #db: Db;
  readonly #opts: WriterOptions;
  readonly #state = new Map<string, TargetState>();
  readonly #functionIds = new Map<string, number>();
  /** Stack (global function ids, leaf first) -> stack id. */
  readonly #stackIds = new FrameSequenceMap();
  /** One stack's global function ids, reused for every stack of every scrape. */
  #scratch = new Uint32Array(256);
  readonly #stmts;

  constructor(db: Db, opts: WriterOptions) {
    this.#db = db;
    this.#opts = opts;
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
                              body_bytes, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects, keyframe)
         VALUES (@targetId, @epochId, @ts, @profileTime, @durationMs, @outcome, @errorCode, @errorMessage,
                 @bodyBytes, @inuseBytes, @inuseObjects, @allocBytes, @allocObjects, @keyframe)
         RETURNING id`,
      ),
      functionId: db.prepare(`INSERT INTO functions (name, filename) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id`),
      stackId: db.prepare(`INSERT INTO stacks (hash, frames) VALUES (?, ?) ON CONFLICT(hash) DO UPDATE SET hash = hash RETURNING id`),
      functionValue: db.prepare(`INSERT INTO function_values (scrape_id, function_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects) VALUES (?, ?, ?, ?, ?, ?)`),
      stackValue: db.prepare(`INSERT INTO stack_values (scrape_id, stack_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects) VALUES (?, ?, ?, ?, ?, ?)`),
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
      }) as { id: number };
      return { scrapeId: row.id, targetId };
    });
  }

  /** Creates or refreshes a target row and returns its id (the API's target id). */
  registerTarget(target: Target, now = Date.now()): number {
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
      this.#functionIds.clear();
      this.#stackIds.clear();
      if (err instanceof HeapwatchError) throw err;
      throw new HeapwatchError('HW_ERR_STORE_WRITE', (err as Error).message, { cause: err });
    }
  }

  #targetId(target: Target, now: number): number {
    const row = this.#stmts.upsertTarget.get(target.key, target.url, JSON.stringify(target.labels), now, now) as { id: number };
    return row.id;
  }

  #appendProfile(s: SuccessfulScrape): AppendResult {
    const targetId = this.#targetId(s.target, s.startedAt);
    const state = this.#state.get(s.target.key) ?? this.#loadState(targetId);
    const summary = summarize(s.profile);
    const transition = classifyTransition(state.summary, summary);
    const ts = s.startedAt;
    state.restartStreak = transition === 'restart' || transition === 'build_changed' ? state.restartStreak + 1 : 0;
    if (flapHoldsBack(state.restartStreak)) {
      // Compared with the next profile: the streak goes on while processes alternate.
      state.summary = summary;
      this.#state.set(s.target.key, state);
      throw new HeapwatchError('HW_ERR_EPOCH_FLAPPING', `${state.restartStreak} new processes in a row at ${s.target.url}; this one was not stored`);
    }

    const epochStart = transition === 'first' || transition === 'restart' || transition === 'build_changed';
    if (epochStart) {
      if (state.epochId) this.#stmts.endEpoch.run(ts, state.epochId);
      const row = this.#stmts.newEpoch.get(targetId, ts, transition === 'first' ? 'first' : transition, summary.buildId) as { id: number };
      state.epochId = row.id;
      state.functions = undefined;
      state.stacks = undefined;
      state.epochFunctions = new Set();
    }
    const stale = transition === 'stale';
    const keyframe = !stale && (state.functions === undefined || state.sinceKeyframe + 1 >= this.#opts.keyframeEvery);

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
    }) as { id: number };
    const scrapeId = scrapeRow.id;

    if (!stale) {
      const { functions, stacks } = this.#absoluteValues(s.profile, state);
      this.#writeValues(this.#stmts.functionValue, scrapeId, functions, keyframe ? undefined : state.functions);
      this.#writeValues(this.#stmts.stackValue, scrapeId, stacks, keyframe ? undefined : state.stacks);
      state.functions = functions;
      state.stacks = stacks;
      state.sinceKeyframe = keyframe ? 0 : state.sinceKeyframe + 1;
      for (const m of s.profile.modules) this.#stmts.epochModule.run(state.epochId, m.path, m.version);
    }
    state.summary = summary;
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
      summary: last
        ? { buildId: last.buildId, allocBytes: last.allocBytes, allocObjects: last.allocObjects, inuseBytes: last.inuseBytes, inuseObjects: last.inuseObjects }
        : undefined,
      functions: undefined,
      stacks: undefined,
      sinceKeyframe: 0,
      lastProfileHour: hour === null ? -1 : Math.floor(hour / 3_600_000),
      profilesSincePrune: PRUNE_EVERY - 1,
      epochFunctions: new Set(),
      restartStreak: 0,
    };
  }

  #absoluteValues(profile: HeapProfile, state: TargetState): { functions: Map<number, Pair>; stacks: Map<number, Pair> } {
    const bi = profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
    const oi = profile.sampleTypes.findIndex((t) => t.type === 'inuse_objects');
    const abi = profile.sampleTypes.findIndex((t) => t.type === 'alloc_space');
    const aoi = profile.sampleTypes.findIndex((t) => t.type === 'alloc_objects');
    const fnIds = profile.functions.map((f) => this.#functionId(f.name, f.filename));
    for (const id of fnIds) {
      if (!state.epochFunctions.has(id)) {
        state.epochFunctions.add(id);
        this.#stmts.epochFunction.run(state.epochId, id);
      }
    }
    const functions = new Map<number, Pair>();
    const stacks = new Map<number, Pair>();
    for (let si = 0; si < stackCount(profile); si++) {
      const b = stackValue(profile, si, bi);
      const o = stackValue(profile, si, oi);
      if (b === 0 && o === 0) continue; // freed memory: visible in alloc_* only
      const ab = abi < 0 ? 0 : stackValue(profile, si, abi);
      const ao = aoi < 0 ? 0 : stackValue(profile, si, aoi);
      const local = stackFrames(profile, si);
      const n = local.length;
      if (n === 0) continue;
      if (n > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(n, 2 * this.#scratch.length));
      const frames = this.#scratch;
      for (let k = 0; k < n; k++) frames[k] = fnIds[local[k]!]!;
      add(functions, frames[0]!, b, o, ab, ao);
      add(stacks, this.#stackId(frames, n), b, o, ab, ao);
    }
    return { functions, stacks };
  }

  /** Keyframe (prev undefined): every non-zero value. Delta: keys whose inuse changed (with their alloc since the last stored row), removed keys as negatives. */
  #writeValues(stmt: { run: (...args: number[]) => unknown }, scrapeId: number, now: Map<number, Pair>, prev: Map<number, Pair> | undefined): void {
    if (!prev) {
      for (const [id, [b, o, ab, ao]] of now) stmt.run(scrapeId, id, b, o, ab, ao);
      return;
    }
    for (const [id, pair] of now) {
      const p = prev.get(id);
      const db = pair[0] - (p?.[0] ?? 0);
      const dobj = pair[1] - (p?.[1] ?? 0);
      if (db !== 0 || dobj !== 0) {
        stmt.run(scrapeId, id, db, dobj, pair[2] - (p?.[2] ?? 0), pair[3] - (p?.[3] ?? 0));
      } else if (p) {
        // Allocation alone does not make a row (store work stays proportional
        // to what changed in inuse): carry the stored counts, so the next
        // row's delta covers everything allocated since the last one stored.
        pair[2] = p[2];
        pair[3] = p[3];
      }
    }
    for (const [id, [b, o, ab, ao]] of prev) if (!now.has(id)) stmt.run(scrapeId, id, -b, -o, -ab, -ao);
  }

  #functionId(name: string, filename: string): number {
    let id = this.#functionIds.get(name);
    if (id === undefined) {
      id = (this.#stmts.functionId.get(name, filename) as { id: number }).id;
      this.#functionIds.set(name, id);
    }
    return id;
  }

  /** The stack's dictionary id; only a stack not seen since start builds its text key. */
  #stackId(frames: Uint32Array, n: number): number {
    let id = this.#stackIds.get(frames, n);
    if (id === undefined) {
      const list = Array.from(frames.subarray(0, n));
      const hash = createHash('sha1').update(list.join(',')).digest('base64url');
      id = (this.#stmts.stackId.get(hash, JSON.stringify(list)) as { id: number }).id;
      this.#stackIds.add(frames, n, id);
    }
    return id;
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

function add(map: Map<number, Pair>, id: number, b: number, o: number, ab: number, ao: number): void {
  const p = map.get(id);
  if (p) {
    p[0] += b;
    p[1] += o;
    p[2] += ab;
    p[3] += ao;
  } else {
    map.set(id, [b, o, ab, ao]);
  }
}
