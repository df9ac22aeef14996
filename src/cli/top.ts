/**
 * `heapwatch top`: per-function flat and cum of one profile (heap,
 * goroutine or goroutineleak), in the same order and with the same semantics
 * as `go tool pprof -top`.
 */
import { readFileSync } from 'node:fs';
import { functionValues, sortFunctionValues } from '../pprof/aggregate.js';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import { HEAP_SAMPLE_INDEXES, type HeapSampleIndex } from '../pprof/profile.js';
import type { ProfileKind } from '../pprof/kind.js';
import { HeapwatchError } from '../errors.js';
import { formatBytes } from './format.js';

/** A heap sample type, or the single count of a goroutine or goroutineleak profile. */
export type SampleIndex = HeapSampleIndex | 'goroutine' | 'goroutineleak';

export const SAMPLE_INDEXES: readonly SampleIndex[] = [...HEAP_SAMPLE_INDEXES, 'goroutine', 'goroutineleak'];

/** The sample type shown when none is asked for: what each kind is judged on. */
export const DEFAULT_SAMPLE_INDEX: Record<ProfileKind, SampleIndex> = { heap: 'inuse_space', goroutine: 'goroutine', goroutineleak: 'goroutineleak' };

/** `heapwatch top` flags, as pprof names them (`-sample_index`, `-cum`). */
export interface TopOptions {
  /** Unset: the profile kind's own (inuse_space, goroutine, goroutineleak). */
  sampleIndex?: SampleIndex;
  cum: boolean;
  json: boolean;
  maxDecompressedBytes: number;
}

/** `heapwatch top --json`: pprof's `-top` table, with snake_case keys as printed. */
export interface TopReport {
  kind: ProfileKind;
  sample_index: SampleIndex;
  total: number;
  /**
   * Set for a delta profile (Go's `?seconds=N`): the span it covers. Its
   * values are what changed over that span, inuse included, not what is
   * live; `go tool pprof` shows the same as "Duration:".
   */
  duration_seconds?: number;
  functions: { name: string; flat: number; cum: number }[];
}

/** A profile file given on the command line; a missing file or a folder is the user's error, with its code. */
export function readProfileFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory (give a .pb.gz file)' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new HeapwatchError('HW_ERR_BAD_REQUEST', `cannot read ${file}: ${why}`, { cause: err });
  }
}

export function topReport(file: string, opts: Pick<TopOptions, 'sampleIndex' | 'cum' | 'maxDecompressedBytes'>): TopReport {
  const { kind, profile } = decodeProfileFast(readProfileFile(file), { maxDecompressedBytes: opts.maxDecompressedBytes });
  const sampleIndex = opts.sampleIndex ?? DEFAULT_SAMPLE_INDEX[kind];
  const index = profile.sampleTypes.findIndex((t) => t.type === sampleIndex);
  if (index < 0) {
    throw new HeapwatchError('HW_ERR_PROFILE_NOT_HEAP', `${file} is a ${kind} profile with no sample type ${sampleIndex} (has ${profile.sampleTypes.map((t) => t.type).join(', ')})`);
  }
  // Like pprof, a function whose every stack has zero for this sample type is not listed.
  const nonZero = functionValues(profile, index).filter((f) => f.flat !== 0 || f.cum !== 0);
  const functions = sortFunctionValues(nonZero, opts.cum ? 'cum' : 'flat');
  const delta = profile.durationNanos > 0 ? { duration_seconds: profile.durationNanos / 1e9 } : {};
  return { kind, sample_index: sampleIndex, total: profile.totals[index]!, ...delta, functions: functions.map((f) => ({ name: f.name, flat: f.flat, cum: f.cum })) };
}

export function renderTop(report: TopReport, limit = 50): string {
  const isBytes = report.sample_index.endsWith('_space');
  const fmt = (n: number): string => (isBytes ? formatBytes(n) : String(n));
  const pct = (n: number): string => (report.total === 0 ? '0.00%' : `${((100 * n) / report.total).toFixed(2)}%`);
  const lines: string[] = [];
  if (report.duration_seconds !== undefined) {
    lines.push(`Duration: ${report.duration_seconds.toFixed(1)} s (a delta profile: each value is what changed over that span, not what is live)`);
  }
  lines.push(`Showing top ${Math.min(limit, report.functions.length)} of ${report.functions.length} functions, ${report.sample_index} total ${fmt(report.total)}`);
  lines.push(`${'flat'.padStart(10)} ${'flat%'.padStart(7)} ${'sum%'.padStart(7)} ${'cum'.padStart(10)} ${'cum%'.padStart(7)}  function`);
  let sum = 0;
  for (const f of report.functions.slice(0, limit)) {
    sum += f.flat;
    lines.push(`${fmt(f.flat).padStart(10)} ${pct(f.flat).padStart(7)} ${pct(sum).padStart(7)} ${fmt(f.cum).padStart(10)} ${pct(f.cum).padStart(7)}  ${f.name}`);
  }
  return lines.join('\n');
}

export function isSampleIndex(s: string): s is SampleIndex {
  return (SAMPLE_INDEXES as readonly string[]).includes(s);
}
