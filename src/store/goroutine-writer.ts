/**
 * Writes goroutine and goroutineleak fetches (migration 006): the fetch row,
 * per-function and per-stack goroutine counts as keyframes or deltas, one
 * transaction per fetch. The same encoding as inuse (writer.ts, value-table.ts):
 * any point rebuilds as the last keyframe plus the deltas after it.
 *
 * Epochs: a fetch joins the target's open heap epoch (heap profiles tell a
 * restart apart; a goroutine profile carries no counter that could). When
 * that epoch changes, the series of each kind restarts with a keyframe.
 */
import { HeapwatchError, type ErrorRecord } from '../errors.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import { goroutineFacts } from '../detect/goroutine-frames.js';
import type { GoroutineKind } from '../pprof/kind.js';
import type { Db } from './db.js';
import { StackDictionary } from './dictionary.js';
import { forEachChange, ValueTableBuilder, type ValueTable } from './value-table.js';

/** The goroutine kinds stored here (src/pprof/kind.ts). */
export type GoroutineProfileKind = GoroutineKind;

/** Who the fetch belongs to: the target's identity, as the heap writer keys it. */
export interface GoroutineOwner {
  key: string;
  url: string;
  labels: Readonly<Record<string, string>>;
}

export interface GoroutineFetch {
  owner: GoroutineOwner;
  kind: GoroutineProfileKind;
  startedAt: number;
  durationMs: number;
  bodyBytes: number;
  profile: HeapProfile;
}

export interface GoroutineAppendResult {
  scrapeId: number;
  targetId: number;
  /** The heap epoch the fetch joined (null before the target's first heap profile). */
  epochId: number | null;
  keyframe: boolean;
  /** Rows of function and stack values written. */
  rows: number;
}

interface SeriesState {
  epochId: number | null;
  functions: ValueTable | undefined;
  stacks: ValueTable | undefined;
  sinceKeyframe: number;
}

export class GoroutineWriter {
  readonly #db: Db;
  readonly #keyframeEvery: number;
  /** `${targetKey}\n${kind}` -> what the last stored fetch held. */
  readonly #state = new Map<string, SeriesState>();
  readonly #dictionary: StackDictionary;
  /** One stack's global function ids. */
  #scratch = new Uint32Array(256);
  readonly #functionValues = new ValueTableBuilder();
  readonly #stackValues = new ValueTableBuilder();
  readonly #stmts;

  constructor(db: Db, opts: { keyframeEvery: number }) {
    this.#db = db;
    this.#keyframeEvery = opts.keyframeEvery;
    this.#dictionary = new StackDictionary(db);
    this.#stmts = {
      upsertTarget: db.prepare(
        `INSERT INTO targets (key, url, labels, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET last_seen = excluded.last_seen
         RETURNING id`,
      ),
      openEpoch: db.prepare(`SELECT id FROM epochs WHERE target_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`).pluck(),
      insertScrape: db.prepare(
        `INSERT INTO goroutine_scrapes (target_id, epoch_id, kind, ts, profile_time, duration_ms, outcome, error_code, error_message, body_bytes, goroutines, keyframe)
         VALUES (@targetId, @epochId, @kind, @ts, @profileTime, @durationMs, @outcome, @errorCode, @errorMessage, @bodyBytes, @goroutines, @keyframe)
         RETURNING id`,
      ),
      functionValue: db.prepare(`INSERT INTO goroutine_function_values (scrape_id, function_id, goroutines) VALUES (?, ?, ?)`),
      stackValue: db.prepare(`INSERT INTO goroutine_stack_values (scrape_id, stack_id, goroutines) VALUES (?, ?, ?)`),
    };
  }

  /** Records a goroutine or goroutineleak profile. Throws HW_ERR_STORE_WRITE; on error nothing of it is stored. */
  append(f: GoroutineFetch): GoroutineAppendResult {
    const stateKey = `${f.owner.key}\n${f.kind}`;
    return this.#write(stateKey, () => {
      const targetId = this.#targetId(f.owner, f.startedAt);
      const epochId = (this.#stmts.openEpoch.get(targetId) as number | undefined) ?? null;
      let state = this.#state.get(stateKey);
      if (!state || state.epochId !== epochId) state = { epochId, functions: undefined, stacks: undefined, sinceKeyframe: 0 };
      const keyframe = state.functions === undefined || state.sinceKeyframe + 1 >= this.#keyframeEvery;
      const row = this.#stmts.insertScrape.get({
        targetId,
        epochId,
        kind: f.kind,
        ts: f.startedAt,
        profileTime: f.profile.timeMs || null,
        durationMs: f.durationMs,
        outcome: 'ok',
        errorCode: null,
        errorMessage: null,
        bodyBytes: f.bodyBytes,
        goroutines: f.profile.totals[0] ?? 0,
        keyframe: keyframe ? 1 : 0,
      }) as { id: number };
      const { functions, stacks } = this.#absoluteCounts(f.profile);
      const fv = this.#stmts.functionValue;
      const sv = this.#stmts.stackValue;
      const rows =
        forEachChange(functions, keyframe ? undefined : state.functions, (id, n) => fv.run(row.id, id, n)) +
        forEachChange(stacks, keyframe ? undefined : state.stacks, (id, n) => sv.run(row.id, id, n));
      this.#state.set(stateKey, { epochId, functions, stacks, sinceKeyframe: keyframe ? 0 : state.sinceKeyframe + 1 });
      return { scrapeId: row.id, targetId, epochId, keyframe, rows };
    });
  }

  /**
   * Records a fetch that brought no profile: an error, or `unavailable` (the
   * endpoint answered 404: this Go has no such profile).
   */
  appendFailure(owner: GoroutineOwner, kind: GoroutineProfileKind, startedAt: number, durationMs: number, error: ErrorRecord, unavailable = false): number {
    return this.#write(`${owner.key}\n${kind}`, () => {
      const targetId = this.#targetId(owner, startedAt);
      const row = this.#stmts.insertScrape.get({
        targetId,
        epochId: (this.#stmts.openEpoch.get(targetId) as number | undefined) ?? null,
        kind,
        ts: startedAt,
        profileTime: null,
        durationMs,
        outcome: unavailable ? 'unavailable' : 'error',
        errorCode: error.code,
        errorMessage: error.message,
        bodyBytes: null,
        goroutines: null,
        keyframe: 0,
      }) as { id: number };
      return row.id;
    });
  }

  /** Forgets a target's delta state (it left the config). */
  forget(targetKey: string): void {
    for (const key of [...this.#state.keys()]) if (key.startsWith(`${targetKey}\n`)) this.#state.delete(key);
  }

  #write<T>(stateKey: string, fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      // Rolled back: the next fetch writes a keyframe, and no cached id points at a rolled-back row.
      this.#state.delete(stateKey);
      this.#dictionary.forget();
      if (err instanceof HeapwatchError) throw err;
      throw new HeapwatchError('HW_ERR_STORE_WRITE', (err as Error).message, { cause: err });
    }
  }

  #targetId(owner: GoroutineOwner, now: number): number {
    return (this.#stmts.upsertTarget.get(owner.key, owner.url, JSON.stringify(owner.labels), now, now) as { id: number }).id;
  }

  /** Goroutines per stack, and per function they wait in (not per leaf: every parked goroutine's leaf is runtime.gopark). */
  #absoluteCounts(profile: HeapProfile): { functions: ValueTable; stacks: ValueTable } {
    const functions = this.#functionValues;
    const stacks = this.#stackValues;
    functions.clear();
    stacks.clear();
    const fnIds = profile.functions.map((f) => this.#dictionary.functionId(f.name, f.filename));
    for (let si = 0; si < stackCount(profile); si++) {
      const n = stackValue(profile, si, 0);
      const local = stackFrames(profile, si);
      if (!(n > 0) || local.length === 0) continue;
      const names = Array.from(local, (i) => profile.functions[i]!.name);
      const waitsIn = profile.functions.findIndex((fn) => fn.name === goroutineFacts(names).function);
      functions.add(fnIds[waitsIn < 0 ? local[0]! : waitsIn]!, n, 0);
      if (local.length > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(local.length, 2 * this.#scratch.length));
      for (let k = 0; k < local.length; k++) this.#scratch[k] = fnIds[local[k]!]!;
      stacks.add(this.#dictionary.stackId(this.#scratch, local.length), n, 0);
    }
    return { functions: functions.build(), stacks: stacks.build() };
  }
}
