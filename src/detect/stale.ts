/**
 * How often a target's profiles are stale: identical to the previous one
 * because no GC ran in between (a quiet service). Detection judges only the
 * points that changed; when most points of the last hour are stale, the
 * API and the logs say so and suggest scraping with `params: { gc: 1 }`.
 * Fixed memory: a ring of the latest outcomes. Pure.
 */

const CAPACITY = 256;
const HOUR = 3_600_000;

/** How many of a target's recent profiles were stale, and what to tell the user about it. */
export interface Staleness {
  /** Share of the last hour's profiles that were stale (0..1). */
  share: number;
  /** Profiles seen in the last hour. */
  profiles: number;
  /** Set when most profiles are stale. */
  note?: string;
}

/** Most profiles stale over at least this many profiles: say so. */
export const MOSTLY_STALE = 0.5;
const MIN_PROFILES = 6;

/** The ring of recent stale/changed outcomes of one target (see above). */
export class StaleTracker {
  readonly #times = new Float64Array(CAPACITY).fill(NaN);
  readonly #stale = new Uint8Array(CAPACITY);
  #next = 0;

  record(t: number, stale: boolean): void {
    this.#times[this.#next] = t;
    this.#stale[this.#next] = stale ? 1 : 0;
    this.#next = (this.#next + 1) % CAPACITY;
  }

  staleness(now: number): Staleness {
    let profiles = 0;
    let stale = 0;
    for (let i = 0; i < CAPACITY; i++) {
      const t = this.#times[i]!;
      if (Number.isNaN(t) || t < now - HOUR || t > now) continue;
      profiles++;
      stale += this.#stale[i]!;
    }
    const share = profiles === 0 ? 0 : stale / profiles;
    const out: Staleness = { share: Number(share.toFixed(3)), profiles };
    if (profiles >= MIN_PROFILES && share > MOSTLY_STALE) out.note = staleNote(share);
    return out;
  }
}

export function staleNote(share: number): string {
  return `${Math.round(share * 100)}% of the last hour's profiles were unchanged (no GC between scrapes): detection judges only the points that changed and is slower; scrape with params: { gc: 1 } to force a GC per scrape`;
}
