/**
 * The function and stack dictionaries (`functions`, `stacks`) that every
 * value row points into, with the ids already looked up kept in memory: the
 * heap and goroutine writers share the tables, so a stack stored by either
 * has one id. Ids are only valid for committed rows: a writer whose
 * transaction rolled back calls `forget()`.
 */
import { createHash } from 'node:crypto';
import { FrameSequenceMap } from '../pprof/frame-sequences.js';
import type { Db } from './db.js';

export class StackDictionary {
  readonly #functionIds = new Map<string, number>();
  /** Stack (global function ids, leaf first) -> stack id. */
  readonly #stackIds = new FrameSequenceMap();
  readonly #stmts;

  constructor(db: Db) {
    this.#stmts = {
      functionId: db.prepare(`INSERT INTO functions (name, filename) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id`),
      stackId: db.prepare(`INSERT INTO stacks (hash, frames) VALUES (?, ?) ON CONFLICT(hash) DO UPDATE SET hash = hash RETURNING id`),
    };
  }

  functionId(name: string, filename: string): number {
    let id = this.#functionIds.get(name);
    if (id === undefined) {
      id = (this.#stmts.functionId.get(name, filename) as { id: number }).id;
      this.#functionIds.set(name, id);
    }
    return id;
  }

  /** The id of the stack `frames[0..n)` (global function ids, leaf first); only a stack not seen since start builds its text key. */
  stackId(frames: Uint32Array, n: number): number {
    let id = this.#stackIds.get(frames, n);
    if (id === undefined) {
      const list = Array.from(frames.subarray(0, n));
      const hash = createHash('sha1').update(list.join(',')).digest('base64url');
      id = (this.#stmts.stackId.get(hash, JSON.stringify(list)) as { id: number }).id;
      this.#stackIds.add(frames, n, id);
    }
    return id;
  }

  /** Drops every cached id (after a rollback, a cached id may point at a row that is gone). */
  forget(): void {
    this.#functionIds.clear();
    this.#stackIds.clear();
  }
}
