/**
 * `heapwatch import`: profile files a user already has, stored as if they
 * had been scraped at their own `time_nanos`, then judged by the daemon's
 * detectors. Idempotent: a time already stored for the target is skipped,
 * so importing the same files twice changes nothing.
 */
import { readFileSync } from 'node:fs';
import { HeapwatchError, isHeapwatchError, type ErrorRecord } from '../errors.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import { refuseDeltaProfile } from '../pprof/delta-profile.js';
import type { ImportOrigin, ImportSink } from './store-sink.js';

export interface ImportSummary {
  files: number;
  stored: number;
  /** Stored, but without a GC since the previous profile (counted, not judged). */
  stale: number;
  /** Times already stored for this target. */
  skipped: number;
  /** Files refused, with why. */
  rejected: { file: string; error: ErrorRecord }[];
  findingsOpened: number;
  targetId: number | undefined;
}

export interface ImportProgress {
  (done: number, total: number): void;
}

/** Reads one file's time; a file that is no heap profile is rejected here, before anything is stored. */
function profileTime(file: string, limits: DecodeLimits): { time: number; body: Uint8Array } | { error: ErrorRecord } {
  try {
    const body = readFileSync(file);
    const profile = decodeHeapProfileFast(body, limits);
    refuseDeltaProfile(profile);
    if (!profile.timeMs) return { error: { code: 'HW_ERR_BAD_REQUEST', message: `${file}: the profile has no time_nanos, so it cannot be placed in time` } };
    return { time: profile.timeMs, body };
  } catch (err) {
    if (isHeapwatchError(err)) return { error: { code: err.code, message: `${file}: ${err.message}` } };
    const code = (err as NodeJS.ErrnoException).code;
    if (code) return { error: { code: 'HW_ERR_BAD_REQUEST', message: `${file}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}` } };
    throw err;
  }
}

export async function importFiles(files: readonly string[], origin: ImportOrigin, sink: ImportSink, limits: DecodeLimits, progress?: ImportProgress): Promise<ImportSummary> {
  if (!origin.key.startsWith('import:')) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `import origin key must start with "import:": ${origin.key}`);
  const summary: ImportSummary = { files: files.length, stored: 0, stale: 0, skipped: 0, rejected: [], findingsOpened: 0, targetId: undefined };
  // First pass: times only (bodies are re-read later, so a day of large profiles is never held at once).
  const timed: { file: string; time: number; order: number }[] = [];
  files.forEach((file, order) => {
    const r = profileTime(file, limits);
    if ('error' in r) summary.rejected.push({ file, error: r.error });
    else timed.push({ file, time: r.time, order });
    progress?.(order + 1, files.length * 2);
  });
  // time_nanos orders the series; file order breaks ties.
  timed.sort((a, b) => a.time - b.time || a.order - b.order);
  const before = sink.findingsOpened;
  const existing = sink.reader.targetByKey(origin.key);
  const storedTimes = new Set(existing ? sink.reader.scrapes(existing.id).map((s) => s.ts) : []);
  const lastStored = storedTimes.size > 0 ? Math.max(...storedTimes) : -Infinity;
  let done = files.length;
  for (const t of timed) {
    progress?.(++done, files.length * 2);
    if (storedTimes.has(t.time)) {
      summary.skipped++;
      continue;
    }
    if (t.time < lastStored) {
      // History only grows forward: an earlier profile would split the stored epochs.
      summary.rejected.push({ file: t.file, error: { code: 'HW_ERR_BAD_REQUEST', message: `${t.file}: ${new Date(t.time).toISOString()} is before the stored history of ${origin.key} (${new Date(lastStored).toISOString()})` } });
      continue;
    }
    storedTimes.add(t.time);
    const outcome = await sink.accept(origin, t.time, readFileSync(t.file));
    if (!outcome.ok) summary.rejected.push({ file: t.file, error: outcome.error });
    else if (outcome.stale) summary.stale++;
    else summary.stored++;
  }
  await sink.idle();
  summary.findingsOpened = sink.findingsOpened - before;
  summary.targetId = sink.reader.targetByKey(origin.key)?.id;
  return summary;
}

/** The printed summary: what was stored, skipped and rejected (by code), and the findings opened. */
export function renderImportSummary(s: ImportSummary, origin: ImportOrigin): string {
  const lines = [
    `${origin.key}: ${s.files} file(s): ${s.stored + s.stale} stored${s.stale ? ` (${s.stale} without a GC since the previous one)` : ''}, ${s.skipped} skipped (already stored), ${s.rejected.length} rejected`,
  ];
  const byCode = new Map<string, number>();
  for (const r of s.rejected) byCode.set(r.error.code, (byCode.get(r.error.code) ?? 0) + 1);
  for (const [code, n] of byCode) lines.push(`  rejected ${code}: ${n}`);
  for (const r of s.rejected.slice(0, 10)) lines.push(`    ${r.error.message}`);
  if (s.rejected.length > 10) lines.push(`    ... ${s.rejected.length - 10} more`);
  lines.push(`findings opened: ${s.findingsOpened}`);
  if (s.targetId !== undefined) lines.push(`target id: ${s.targetId}`);
  return lines.join('\n');
}
