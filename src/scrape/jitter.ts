/**
 * Stable per-target offsets within the interval, as Prometheus computes them
 * (`offset = hash(target) % interval`): a thousand targets with the same
 * interval spread over it instead of firing in the same second, and a target
 * keeps its slot across restarts and reloads.
 */
import { stableHash } from '../targets/hash.js';

export function jitterOffset(key: string, intervalMs: number): number {
  return Number(stableHash(key) % BigInt(intervalMs));
}

/** The first time >= now that falls on the target's grid (offset + k * interval). */
export function nextSlot(now: number, intervalMs: number, offsetMs: number): number {
  const k = Math.ceil((now - offsetMs) / intervalMs);
  return offsetMs + k * intervalMs;
}
