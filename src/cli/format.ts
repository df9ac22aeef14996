/** Human formatting for CLI output. */

export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)}GiB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)}MiB`;
  if (abs >= 1024) return `${(n / 1024).toFixed(1)}KiB`;
  return `${n}B`;
}
