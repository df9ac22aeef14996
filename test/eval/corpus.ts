/**
 * The labelled corpus of real profile series (test/fixtures/corpus) replayed
 * through `analyze`'s engine, scored as the issue defines it:
 * - a warning/critical finding is correct when its class is the series'
 *   expected class; precision = correct findings / all such findings;
 * - recall = leak series with a correct finding / leak series;
 * - class accuracy = detected leak series whose first finding has the
 *   expected class / detected leak series;
 * - a trap must raise no warning/critical finding, and expected `info`
 *   findings must appear.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles, collectProfileFiles } from '../../src/cli/analyze.js';
import type { DetectParams } from '../../src/detect/params.js';
import type { Finding } from '../../src/detect/findings.js';
import { FIXTURES } from '../helpers/paths.js';

export const CORPUS = join(FIXTURES, 'corpus');

export interface Manifest {
  scenario: string;
  expected_class: string | null;
  trap: boolean;
  expect_info: string[];
  description: string;
  interval_seconds: number;
  profiles: number;
  leak_bytes_per_hour: number;
}

export interface SeriesResult {
  manifest: Manifest;
  findings: Finding[];
  /** Warning/critical findings. */
  alerts: Finding[];
  correct: number;
  detected: boolean;
  classCorrect: boolean;
  infoOk: boolean;
  /** Minutes from the first profile to the first correct finding. */
  minutesToDetect: number | null;
}

export interface CorpusScore {
  series: SeriesResult[];
  precision: number;
  recall: number;
  classAccuracy: number;
  trapAlerts: number;
}

export function evaluateCorpus(params: DetectParams): CorpusScore {
  const series: SeriesResult[] = [];
  for (const name of readdirSync(CORPUS).sort()) {
    const manifest = JSON.parse(readFileSync(join(CORPUS, name, 'manifest.json'), 'utf8')) as Manifest;
    const files = collectProfileFiles([join(CORPUS, name, 'profiles')]);
    const result = analyzeFiles(files, params);
    const alerts = result.findings.filter((f) => f.severity !== 'info').sort((a, b) => a.detected_at - b.detected_at);
    const correct = alerts.filter((f) => f.class === (manifest.expected_class));
    const infos = new Set<string>(result.findings.filter((f) => f.severity === 'info').map((f) => f.class));
    const firstTime = firstProfileTime(files);
    series.push({
      manifest,
      findings: result.findings,
      alerts,
      correct: correct.length,
      detected: correct.length > 0,
      classCorrect: alerts.length > 0 && alerts[0]!.class === (manifest.expected_class),
      infoOk: manifest.expect_info.every((c) => infos.has(c)),
      minutesToDetect: correct.length > 0 ? Math.round((correct[0]!.detected_at - firstTime) / 60_000) : null,
    });
  }
  const allAlerts = series.reduce((n, s) => n + s.alerts.length, 0);
  const correctAlerts = series.reduce((n, s) => n + s.correct, 0);
  const leaks = series.filter((s) => s.manifest.expected_class !== null);
  const detectedLeaks = leaks.filter((s) => s.alerts.length > 0);
  return {
    series,
    precision: allAlerts === 0 ? 1 : correctAlerts / allAlerts,
    recall: leaks.filter((s) => s.detected).length / leaks.length,
    classAccuracy: detectedLeaks.length === 0 ? 0 : detectedLeaks.filter((s) => s.classCorrect).length / detectedLeaks.length,
    trapAlerts: series.filter((s) => s.manifest.expected_class === null).reduce((n, s) => n + s.alerts.length, 0),
  };
}

function firstProfileTime(files: string[]): number {
  // The capture tool names files by index and spaces them one interval apart from the base time.
  const base = Date.parse('2026-01-01T00:00:00Z');
  const first = Math.min(...files.map((f) => Number(/(\d+)\.pb\.gz$/.exec(f)?.[1] ?? 0)));
  return base + first * 60_000;
}

export function renderScore(score: CorpusScore): string {
  const rows = score.series.map((s) => {
    const expected = s.manifest.expected_class ?? (s.manifest.expect_info.length ? `(trap, info: ${s.manifest.expect_info.join(',')})` : '(trap)');
    const got = s.alerts.map((f) => `${f.class}@${Math.round((f.detected_at - Date.parse('2026-01-01T00:00:00Z')) / 60_000)}m`).join(' ') || '-';
    const ttd = s.minutesToDetect === null ? '-' : `${s.minutesToDetect} min`;
    return [s.manifest.scenario, expected, got, ttd, s.infoOk ? '' : 'MISSING INFO'];
  });
  const header = ['series', 'expected', 'warning/critical findings (class@minute)', 'time to detect', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    `precision ${score.precision.toFixed(3)}   recall ${score.recall.toFixed(3)}   class accuracy ${score.classAccuracy.toFixed(3)}   warning/critical findings on traps: ${score.trapAlerts}`,
  ].join('\n');
}
