/**
 * Preloaded into the daemon child by the soak's negative control (`node
 * --import <this file>`): a leak of 1 MiB of JS heap a second, kept for the
 * life of the process. The soak forces a full GC every second
 * (periodic-gc.ts) so that garbage does not read as growth; this shows that
 * the forced GC does not hide what the process retains either.
 */
const PLANTED_BYTES_PER_SECOND = 1024 * 1024;
const DOUBLES = PLANTED_BYTES_PER_SECOND / 8;
const kept: number[][] = [];
// A JS array of doubles, not a typed array: the soak judges the V8 heap, and a
// typed array's bytes live outside it (and its untouched pages outside RSS).
setInterval(() => kept.push(Array.from({ length: DOUBLES }, (_, i) => i * 1.5)), 1000).unref();
