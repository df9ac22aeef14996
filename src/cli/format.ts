/** Human formatting for CLI output. */

export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)}GiB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)}MiB`;
  if (abs >= 1024) return `${(n / 1024).toFixed(1)}KiB`;
  return `${n}B`;
}

/** A duration for a message: whole hours or minutes when exact, else seconds ("90 s", "5 min", "2 h"). */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}
