/**
 * What detection carries from a target's ended processes into its current
 * one (detect/crash-loop.ts), kept in SQLite (migration 007): a daemon
 * restart in the middle of a crash loop, or while a restarted process leaks
 * again, would otherwise hold the leak for a whole warm-up it already
 * proved it was not.
 */
import type { CarriedGrowth } from '../detect/crash-loop.js';
import type { ProcessCarry } from '../detect/session.js';
import type { Db } from './db.js';

export class CarryStore {
  readonly #stmts;

  constructor(db: Db) {
    this.#stmts = {
      save: db.prepare(
        `INSERT INTO detector_carry (target_id, epoch_id, build_id, carried, saved_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (target_id) DO UPDATE SET epoch_id = excluded.epoch_id, build_id = excluded.build_id, carried = excluded.carried, saved_at = excluded.saved_at`,
      ),
      // The carry into the current process, or into the one before it (the
      // daemon was down when the current one started): older carries skip
      // processes nothing judged, so their chains are no longer consecutive.
      load: db.prepare(
        `SELECT epoch_id, build_id, carried FROM detector_carry
          WHERE target_id = @target
            AND (epoch_id = @epoch OR epoch_id = (SELECT max(id) FROM epochs WHERE target_id = @target AND id < @epoch))`,
      ),
    };
  }

  save(targetId: number, carry: ProcessCarry, now = Date.now()): void {
    this.#stmts.save.run(targetId, Number(carry.epoch), carry.buildId, JSON.stringify(Object.fromEntries(carry.carried)), now);
  }

  /**
   * The carry that still applies to the target's process `epochId`, if any.
   * A row that is not what `save` writes (a damaged file) is no carry: the
   * target is judged as before migration 007, not left without detection.
   */
  carryOf(targetId: number, epochId: number): ProcessCarry | undefined {
    const row = this.#stmts.load.get({ target: targetId, epoch: epochId }) as { epoch_id: number; build_id: string; carried: string } | undefined;
    if (!row) return undefined;
    const carried = parseCarried(row.carried);
    return carried && { epoch: String(row.epoch_id), buildId: row.build_id, carried };
  }
}

function parseCarried(text: string): Map<string, CarriedGrowth> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const out = new Map<string, CarriedGrowth>();
  for (const [key, c] of Object.entries(parsed)) {
    const { processes, endAges, leakedAtAge } = (c ?? {}) as Partial<CarriedGrowth>;
    if (typeof processes !== 'number' || !Array.isArray(endAges) || !endAges.every((a) => typeof a === 'number')) return undefined;
    if (leakedAtAge !== undefined && typeof leakedAtAge !== 'number') return undefined;
    out.set(key, leakedAtAge === undefined ? { processes, endAges } : { processes, endAges, leakedAtAge });
  }
  return out;
}
