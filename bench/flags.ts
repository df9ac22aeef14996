/** Command-line flags of the benchmarks. */

/** The integer after `name` in argv, or `fallback`; must be in 1..max. */
export function intFlag(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer in 1..${max}`);
  return v;
}
