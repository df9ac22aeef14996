/**
 * One process epoch's goroutine counts over time, per pile (goroutines with
 * the same wait, function and start, goroutine-frames.ts) and per start
 * function, in a fixed memory budget: at most `maxKeys` piles (the largest
 * win), points no older than the window and at most MAX_POINTS of them (the
 * older half is thinned when there are more). Pure data structure.
 */
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import { goroutineFacts, goroutineKey, type GoroutineFacts } from './goroutine-frames.js';

/** One pile of goroutines in one profile. */
export interface GoroutinePile {
  key: string;
  facts: GoroutineFacts;
  /** The pile's most populous stack, leaf first. */
  frames: string[];
  count: number;
}

/** A goroutine (or goroutineleak) profile read as piles, plus its total and per start function counts. */
export interface GoroutineSnapshot {
  total: number;
  piles: Map<string, GoroutinePile>;
  /** Goroutines per start function (stack root), over every stack of the profile. */
  byStart: Map<string, number>;
}

export function snapshotOf(profile: HeapProfile): GoroutineSnapshot {
  const piles = new Map<string, GoroutinePile>();
  const byStart = new Map<string, number>();
  const best = new Map<string, number>();
  for (let i = 0; i < stackCount(profile); i++) {
    const count = stackValue(profile, i, 0);
    if (!(count > 0)) continue;
    const frames = Array.from(stackFrames(profile, i), (f) => profile.functions[f]!.name);
    const facts = goroutineFacts(frames);
    const key = goroutineKey(facts);
    byStart.set(facts.startedBy, (byStart.get(facts.startedBy) ?? 0) + count);
    const pile = piles.get(key);
    if (!pile) {
      piles.set(key, { key, facts, frames, count });
      best.set(key, count);
      continue;
    }
    pile.count += count;
    if (count > best.get(key)!) {
      pile.frames = frames;
      best.set(key, count);
    }
  }
  return { total: profile.totals[0] ?? 0, piles, byStart };
}

/** Points kept per epoch; Mann–Kendall and Theil–Sen are quadratic in it. */
export const MAX_POINTS = 240;

export class GoroutineHistory {
  readonly times: number[] = [];
  readonly totals: number[] = [];
  readonly #piles = new Map<string, { facts: GoroutineFacts; frames: string[]; values: number[] }>();
  readonly #starts = new Map<string, number[]>();
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  get length(): number {
    return this.times.length;
  }

  add(t: number, snap: GoroutineSnapshot): void {
    this.times.push(t);
    this.totals.push(snap.total);
    const n = this.times.length;
    // The largest piles first, so a full budget keeps what matters.
    const incoming = [...snap.piles.values()].sort((a, b) => b.count - a.count);
    for (const p of incoming) {
      const known = this.#piles.get(p.key);
      if (known) {
        known.values.push(p.count);
        known.frames = p.frames;
        continue;
      }
      if (this.#piles.size >= this.#maxKeys && !this.#evictSmallerThan(p.count)) continue;
      this.#piles.set(p.key, { facts: p.facts, frames: p.frames, values: [...new Array<number>(n - 1).fill(0), p.count] });
    }
    for (const pile of this.#piles.values()) if (pile.values.length < n) pile.values.push(0);
    for (const [start, count] of snap.byStart) {
      const s = this.#starts.get(start);
      if (s) s.push(count);
      else if (this.#starts.size < this.#maxKeys * 4) this.#starts.set(start, [...new Array<number>(n - 1).fill(0), count]);
    }
    for (const s of this.#starts.values()) if (s.length < n) s.push(0);
    this.#prune(t);
  }

  keys(): string[] {
    return [...this.#piles.keys()];
  }

  pile(key: string): { facts: GoroutineFacts; frames: string[]; values: readonly number[] } | undefined {
    return this.#piles.get(key);
  }

  /** Goroutines started by `fn` at each point (every stack, tracked or not). */
  startedBy(fn: string): readonly number[] {
    return this.#starts.get(fn) ?? new Array<number>(this.times.length).fill(0);
  }

  /** Drops the smallest pile if its latest count is below `count`. */
  #evictSmallerThan(count: number): boolean {
    let victim: string | undefined;
    let least = Infinity;
    for (const [key, p] of this.#piles) {
      const last = p.values.at(-1) ?? 0;
      if (last < least) {
        least = last;
        victim = key;
      }
    }
    if (victim === undefined || !(least < count)) return false;
    this.#piles.delete(victim);
    return true;
  }

  #prune(now: number): void {
    let drop = 0;
    while (drop < this.times.length - 1 && this.times[drop]! < now - this.#windowMs) drop++;
    if (drop > 0) this.#spliceAll((a) => a.splice(0, drop));
    if (this.times.length > MAX_POINTS) {
      // Thin the older half: every second point goes, the recent half stays at full resolution.
      const half = this.times.length >> 1;
      const keep = (_: number, i: number): boolean => i >= half || i % 2 === 0;
      this.#spliceAll((a) => {
        const kept = a.filter(keep);
        a.length = 0;
        a.push(...kept);
      });
    }
    for (const [key, p] of this.#piles) if (p.values.every((v) => v === 0)) this.#piles.delete(key);
    for (const [key, s] of this.#starts) if (s.every((v) => v === 0)) this.#starts.delete(key);
  }

  #spliceAll(f: (a: number[]) => void): void {
    f(this.times);
    f(this.totals);
    for (const p of this.#piles.values()) f(p.values);
    for (const s of this.#starts.values()) f(s);
  }
}
