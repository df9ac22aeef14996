/**
 * Prometheus-style durations ("90s", "1h30m", "500ms") and byte sizes
 * ("64MiB", "10MB", plain integers). Config values are written by people, so
 * both accept the forms Prometheus users already know.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(?:(\d+)(ms|s|m|h|d|w))+$/;
const DURATION_PART_RE = /(\d+)(ms|s|m|h|d|w)/g;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(DURATION_PART_RE)) total += Number(n) * DURATION_UNITS_MS[unit!]!;
  return total;
}

const BYTE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** Bytes, or undefined when the value is not a size. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * BYTE_UNITS[m[2] ?? 'B']!);
}
