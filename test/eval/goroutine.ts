/**
 * The goroutine corpus (test/fixtures/goroutine-corpus: real Go 1.26 and
 * go1.27.3 programs, four goroutine-leak shapes and a Kitex handler leak,
 * four healthy shapes, and Go's own goroutineleak profile of each) replayed
 * through `analyze`'s engines and scored exactly as the heap corpus
 * (corpus.ts): precision, recall, and warning/critical findings on healthy
 * series. Rates are goroutines per hour of series time.
 */
import { join } from 'node:path';
import type { DetectParams } from '../../src/detect/params.js';
import type { GoroutineEvidence } from '../../src/detect/goroutine.js';
import { FIXTURES } from '../helpers/paths.js';
import { evaluateCorpus, expectedClasses, type CorpusScore, type Manifest, type SeriesResult } from './corpus.js';

export const GOROUTINE_CORPUS = join(FIXTURES, 'goroutine-corpus');

/** A goroutine series' manifest: the heap fields plus goroutine totals (test/fixtures/goroutine/README.md). */
export interface GoroutineManifest extends Manifest {
  profile_kind: 'goroutine' | 'goroutineleak';
  toolchain: string;
  goroutines_first: number;
  goroutines_last: number;
  goroutines_per_hour: number;
}

export function evaluateGoroutineCorpus(params: DetectParams, corpus = GOROUTINE_CORPUS): CorpusScore {
  return evaluateCorpus(params, corpus);
}

export const goroutineManifest = (s: SeriesResult): GoroutineManifest => s.manifest as GoroutineManifest;

export function renderGoroutineScore(score: CorpusScore): string {
  const rows = score.series.map((s) => {
    const m = goroutineManifest(s);
    const classes = expectedClasses(m);
    const at = (minutes: number): string => `${Math.round(minutes)}m`;
    const got =
      s.alerts
        .map((f) => {
          const e = f.evidence as GoroutineEvidence;
          return `${f.severity === 'critical' ? 'CRIT ' : ''}${f.function}@${at((f.detectedAt - s.firstMs) / 60_000)}${e.goroutinesPerHour > 0 ? ` ${e.goroutinesPerHour}/h` : ''}`;
        })
        .join(', ') || '-';
    const ttd = s.leaks.map((l) => (l.minutesToDetect === null ? 'missed' : `${l.minutesToDetect} min`)).join(', ') || '-';
    const interval = m.interval_seconds % 60 === 0 ? `${m.interval_seconds / 60} min` : `${m.interval_seconds} s`;
    return [m.scenario, m.profile_kind, interval, `${m.goroutines_first} -> ${m.goroutines_last}`, classes.join(' + ') || '(healthy)', got, ttd];
  });
  const header = ['series', 'kind', 'interval', 'goroutines', 'expected', 'warning/critical findings (function@minute rate)', 'time to detect'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const leaks = score.series.reduce((n, s) => n + s.leaks.length, 0);
  const healthy = score.series.filter((s) => s.leaks.length === 0).length;
  return [
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    `${score.series.length} goroutine series (${leaks} expected leaks, ${healthy} healthy)`,
    `precision ${score.precision.toFixed(3)}   recall ${score.recall.toFixed(3)}   class accuracy ${score.classAccuracy.toFixed(3)}   warning/critical findings on healthy series: ${score.trapAlerts}`,
  ].join('\n');
}
