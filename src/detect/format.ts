/** How findings write a growth rate. Pure. */

/** "40 MB/h", or "5.6 MB/h" below 10 MB/h. */
export function formatRate(bytesPerHour: number): string {
  const mb = bytesPerHour / 1e6;
  return mb >= 10 ? `${Math.round(mb)} MB/h` : `${mb.toFixed(1)} MB/h`;
}
