/**
 * The labelled corpus of real profile series (test/fixtures/corpus) replayed
 * through `analyze`'s engine, scored as issue 10 defines it. A series may hold
 * several leaks (`expected_classes`); each is one expected leak:
 * - a warning/critical finding is correct when its class is one of the
 *   series' expected classes, its function is not one of the series'
 *   `healthy_functions` (the program's caches and working set), nor, where
 *   the manifest names them (`leak_functions`), outside the leak's owners,
 *   and it was raised once that leak existed (not before `leak_starts_minute`);
 *   precision = correct findings / all such findings;
 * - recall = expected leaks with a correct finding raised inside their
 *   scoring window / expected leaks. The window starts at the series' first
 *   profile, at `leak_starts_minute` (a leak that starts later), or at
 *   `restart_minute` (a leak that must be found again in the new process);
 * - class accuracy = over expected leaks whose series raised any
 *   warning/critical finding inside the window: the share whose class is
 *   among the first k distinct classes raised there (k = the series' number
 *   of expected leaks; for one leak, "the first finding has its class");
 * - a healthy series (trap) must raise no warning/critical finding, and
 *   expected `info` findings must appear.
 * Findings count as alarms from the moment they are warning/critical
 * (findings.ts: warnedAt): growth in a process's first 60 minutes is held
 * at `info` with its class and escalates to a warning past it. Two times
 * are reported per leak, from the window start in series time (the
 * profiles' own time_nanos; series are scraped every 15 s to 10 min):
 * - time to first finding: the first finding of the leak's class, any
 *   severity (a held `info` one included);
 * - time to warning: when a finding of its class became warning/critical.
 * Info findings are no alarms (not in precision/recall/class accuracy), but
 * those on healthy series are counted and reported.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDecoded, decodeProfileFiles } from '../../src/cli/analyze.js';
import { collectProfileFiles } from '../../src/cli/profile-files.js';
import type { DetectParams } from '../../src/detect/params.js';
import { warnedAt, type Finding } from '../../src/detect/findings.js';
import { FIXTURES } from '../helpers/paths.js';
import { DEGRADATIONS, survivors, type Degradation } from './degrade.js';

export const CORPUS = join(FIXTURES, 'corpus');

export interface Manifest {
  scenario: string;
  /** The (first) expected class; kept for older readers. */
  expected_class: string | null;
  /** Every leak of the series, by class; absent in older manifests (then `[expected_class]`). */
  expected_classes?: string[];
  trap: boolean;
  expect_info: string[];
  description: string;
  interval_seconds: number;
  profiles: number;
  /** The Go release the recorded program was built with (go1.26.8, go1.27.3, ...). */
  toolchain?: string;
  /** Module versions of the recorded program (Kitex, netpoll, ...), where it links them. */
  versions?: Record<string, string>;
  /** All leaks together, bytes per hour of series time. */
  leak_bytes_per_hour: number;
  /** Per-class rates when a series holds several leaks. */
  class_bytes_per_hour?: Record<string, number>;
  /**
   * Functions that grow in the series and are not its leak (the program's
   * caches and working set): a warning there is a false alarm whatever its
   * class.
   */
  healthy_functions?: string[];
  /**
   * The functions that own the leak, where the manifest names them: a
   * finding elsewhere (a library helper the leak shares with healthy code,
   * say) does not count as finding it.
   */
  leak_functions?: string[];
  /**
   * Functions that really leak too, as a consequence of the series' leak (the
   * map that keeps the leaked field gains an entry per kept request): a
   * warning there is a true alarm of its own, whatever its class, but never
   * counts as finding the expected leak, and missing it costs no recall.
   */
  also_leaking?: { function: string; why: string }[];
  /** The leak starts this many minutes after the first profile (series time). */
  leak_starts_minute?: number;
  /** The process restarts here; the leak must be found in the new process. */
  restart_minute?: number;
}

export interface ExpectedLeak {
  class: string;
  bytesPerHour: number;
  /** The first correct warning/critical finding inside the window. */
  finding: Finding | null;
  /** Minutes from the window start until `finding` was a warning/critical. */
  minutesToDetect: number | null;
  /** The first finding of the leak's class inside the window, any severity. */
  firstFinding: Finding | null;
  minutesToFirstFinding: number | null;
  /** Whether the series raised any warning/critical finding inside the window. */
  alerted: boolean;
  classCorrect: boolean;
}

export interface SeriesResult {
  manifest: Manifest;
  findings: Finding[];
  /** Warning/critical findings, in the order they were raised. */
  alerts: Finding[];
  /** Alerts counted correct for precision. */
  correct: number;
  leaks: ExpectedLeak[];
  infoOk: boolean;
  /** Profile time (ms) of the first and the last profile. */
  firstMs: number;
  lastMs: number;
  /** Where scoring starts (ms): first profile, leak start or restart. */
  windowMs: number;
}

export interface CorpusScore {
  series: SeriesResult[];
  precision: number;
  recall: number;
  classAccuracy: number;
  /** Warning/critical findings on healthy series. */
  trapAlerts: number;
  /** Info findings on healthy series (held warm-up growth, filling caches, vulnerable versions), by class. */
  trapInfos: Record<string, number>;
  /** Median minutes to a warning for leaks >= 20 MB/h scraped every minute (Infinity when half are missed). */
  medianFastMinutes: number;
  /** Median minutes to a warning for leaks of ~5 MB/h (3-8 MB/h, any interval). */
  medianSlowMinutes: number;
  /** The same medians for the first finding of the leak's class, any severity. */
  medianFastFirstMinutes: number;
  medianSlowFirstMinutes: number;
}

export const expectedClasses = (m: Manifest): string[] =>
  m.expected_classes ?? (m.expected_class === null ? [] : [m.expected_class]);

/** Whether a finding is at a site that may be the leak: not one of the series' known healthy functions, and one of its owners where the manifest names them. */
export const leakSite =
  (m: Manifest) =>
  (f: Finding): boolean =>
    !(m.healthy_functions ?? []).includes(f.function) && (m.leak_functions === undefined || m.leak_functions.includes(f.function));

/** Whether a finding is at one of the series' other real leaks (`also_leaking`). */
export const alsoLeaking =
  (m: Manifest) =>
  (f: Finding): boolean =>
    (m.also_leaking ?? []).some((l) => l.function === f.function);

/** One series replayed and scored; with a degradation (degrade.ts), undefined when it leaves the series out. */
export function evaluateSeries(dir: string, params: DetectParams, degradation?: Degradation): SeriesResult | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const files = collectProfileFiles([join(dir, 'profiles')]);
  // Each file is decoded once a replay: its time and its replay come from the same decoding.
  const cached = SERIES_TIMES.get(dir);
  const decoded = cached === undefined ? decodeProfileFiles(files) : undefined;
  let times = cached ?? decoded!.map((d) => d.profile.timeMs);
  SERIES_TIMES.set(dir, times);
  let kept: boolean[] | undefined;
  if (degradation !== undefined) {
    kept = survivors(manifest.scenario, times, degradation);
    if (kept === undefined) return undefined;
    const firstBefore = Math.min(...times);
    times = times.filter((_, i) => kept![i]);
    // Minutes of the manifest count from the first profile: from the first one kept.
    const lost = (Math.min(...times) - firstBefore) / 60_000;
    const shift = (minute: number | undefined): number | undefined => (minute === undefined || minute - lost <= 0 ? undefined : minute - lost);
    manifest.leak_starts_minute = shift(manifest.leak_starts_minute);
    manifest.restart_minute = shift(manifest.restart_minute);
  }
  const inputs = decoded === undefined ? decodeProfileFiles(kept === undefined ? files : files.filter((_, i) => kept[i])) : decoded.filter((d) => kept?.[d.order] ?? true);
  const result = analyzeDecoded(inputs, params);
  const firstMs = Math.min(...times);
  const leakStartMs = firstMs + (manifest.leak_starts_minute ?? 0) * 60_000;
  const windowMs = Math.max(leakStartMs, firstMs + (manifest.restart_minute ?? 0) * 60_000);
  const alerts = result.findings.filter((f) => f.severity !== 'info').sort((a, b) => warnedAt(a)! - warnedAt(b)!);
  const classes = expectedClasses(manifest);
  const other = alsoLeaking(manifest);
  const atLeak = (f: Finding): boolean => leakSite(manifest)(f) && !other(f);
  const correct = alerts.filter((f) => warnedAt(f)! >= leakStartMs && ((classes.includes(f.classId) && atLeak(f)) || other(f)));
  const inWindow = alerts.filter((f) => warnedAt(f)! >= windowMs && atLeak(f));
  // Time to first finding measures growth found: a risk seen in peaks (large-requests.ts) names the class without it.
  const anyInWindow = result.findings.filter((f) => f.detectedAt >= windowMs && atLeak(f) && !f.evidence.risk).sort((a, b) => a.detectedAt - b.detectedAt);
  const firstClasses = [...new Set(inWindow.map((f) => f.classId as string))].slice(0, classes.length);
  const leaks = classes.map((c): ExpectedLeak => {
    const finding = inWindow.find((f) => f.classId === c) ?? null;
    const firstFinding = anyInWindow.find((f) => f.classId === c) ?? null;
    return {
      class: c,
      bytesPerHour: manifest.class_bytes_per_hour?.[c] ?? manifest.leak_bytes_per_hour,
      finding,
      minutesToDetect: finding ? Math.round((warnedAt(finding)! - windowMs) / 60_000) : null,
      firstFinding,
      minutesToFirstFinding: firstFinding ? Math.round((firstFinding.detectedAt - windowMs) / 60_000) : null,
      // Warned at this leak: a warning of its class, or of no class the
      // series expects. With several leaks, one leak's warning is not another's
      // (a leak missed beside a found one is a miss, not a wrong class).
      alerted: inWindow.some((f) => f.classId === c || !classes.includes(f.classId)),
      classCorrect: firstClasses.includes(c),
    };
  });
  const infos = new Set<string>(result.findings.filter((f) => f.severity === 'info').map((f) => f.classId));
  return {
    manifest,
    findings: result.findings,
    alerts,
    correct: correct.length,
    leaks,
    infoOk: manifest.expect_info.every((c) => infos.has(c)),
    firstMs,
    lastMs: Math.max(...times),
    windowMs,
  };
}

/** Every series of a corpus folder (the heap corpus by default; goroutine.ts scores goroutine-corpus). */
export function evaluateCorpus(params: DetectParams, corpus = CORPUS, degradation?: Degradation): CorpusScore {
  const series = seriesDirs(corpus).flatMap((dir) => evaluateSeries(dir, params, degradation) ?? []);
  const allAlerts = series.reduce((n, s) => n + s.alerts.length, 0);
  const correctAlerts = series.reduce((n, s) => n + s.correct, 0);
  const leaks = series.flatMap((s) => s.leaks);
  const alerted = leaks.filter((l) => l.alerted);
  const ttd = (pick: (s: SeriesResult, l: ExpectedLeak) => boolean, first = false): number =>
    median(series.flatMap((s) => s.leaks.filter((l) => pick(s, l)).map((l) => (first ? l.minutesToFirstFinding : l.minutesToDetect) ?? Infinity)));
  const fast = (s: SeriesResult, l: ExpectedLeak): boolean => s.manifest.interval_seconds === 60 && l.bytesPerHour >= 20e6;
  const slow = (_s: SeriesResult, l: ExpectedLeak): boolean => l.bytesPerHour >= 3e6 && l.bytesPerHour < 8e6;
  const trapInfos: Record<string, number> = {};
  for (const s of series.filter((x) => x.leaks.length === 0)) {
    for (const f of s.findings.filter((x) => x.severity === 'info')) trapInfos[f.classId] = (trapInfos[f.classId] ?? 0) + 1;
  }
  return {
    series,
    precision: allAlerts === 0 ? 1 : correctAlerts / allAlerts,
    recall: leaks.length === 0 ? 0 : leaks.filter((l) => l.finding !== null).length / leaks.length,
    classAccuracy: alerted.length === 0 ? 0 : alerted.filter((l) => l.classCorrect).length / alerted.length,
    trapAlerts: series.filter((s) => s.leaks.length === 0).reduce((n, s) => n + s.alerts.length, 0),
    trapInfos,
    medianFastMinutes: ttd(fast),
    medianSlowMinutes: ttd(slow),
    medianFastFirstMinutes: ttd(fast, true),
    medianSlowFirstMinutes: ttd(slow, true),
  };
}

/**
 * The series folders of a corpus (each holds manifest.json and profiles/),
 * in name order. Files beside them (a README) are not series; a folder
 * without a manifest is an error that names it, not a series left out of
 * the score.
 */
export function seriesDirs(corpus: string): string[] {
  let names;
  try {
    names = readdirSync(corpus);
  } catch (err) {
    throw new Error(`corpus ${corpus}: ${(err as Error).message}`);
  }
  // statSync follows links: a corpus may link the series it borrows.
  const dirs = names.sort().map((name) => join(corpus, name)).filter((path) => statSync(path).isDirectory());
  for (const dir of dirs) {
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`corpus ${corpus}: ${dir} has no manifest.json (a series is a folder with manifest.json and profiles/)`);
  }
  if (dirs.length === 0) throw new Error(`corpus ${corpus}: no series (a series is a folder with manifest.json and profiles/)`);
  return dirs;
}

/**
 * The series' own clock (time_nanos of each profile), whatever the files are
 * named; kept for the process, since each degraded replay asks for every
 * series' times again, and most of them leave the series out.
 */
const SERIES_TIMES = new Map<string, number[]>();

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const interval = (sec: number): string => (sec % 60 === 0 ? `${sec / 60} min` : `${sec} s`);
const rate = (bytesPerHour: number): string => (bytesPerHour > 0 ? (bytesPerHour / 1e6).toFixed(1) : '-');
const minutes = (m: number): string => (Number.isFinite(m) ? `${m} min` : Number.isNaN(m) ? 'n/a' : 'not detected');

export function renderScore(score: CorpusScore): string {
  const rows = score.series.map((s) => {
    const m = s.manifest;
    const classes = expectedClasses(m);
    const expected = classes.length
      ? classes.join(' + ') + (m.leak_starts_minute ? ` (from ${m.leak_starts_minute}m)` : '') + (m.restart_minute ? ` (restart ${m.restart_minute}m)` : '')
      : m.expect_info.length
        ? `(healthy, info: ${m.expect_info.join(',')})`
        : '(healthy)';
    const at = (f: Finding): number => Math.round((warnedAt(f)! - s.firstMs) / 60_000);
    // "!": at one of the series' healthy functions (a cache, the working set), so wrong whatever its class;
    // "+": at one of its other real leaks (also_leaking), so right whatever its class.
    const mark = (f: Finding): string => (alsoLeaking(s.manifest)(f) ? '+' : leakSite(s.manifest)(f) ? '' : '!');
    const got = s.alerts.map((f) => `${f.classId}@${at(f)}m${mark(f)}`).join(' ') || '-';
    const ttd = s.leaks.map((l) => (l.minutesToDetect === null ? 'missed' : `${l.minutesToDetect} min`)).join(', ') || '-';
    const ttf = s.leaks.map((l) => (l.minutesToFirstFinding === null ? 'missed' : `${l.minutesToFirstFinding} min`)).join(', ') || '-';
    const infos = s.findings.filter((f) => f.severity === 'info').length;
    const rates = classes.length === 0 ? '-' : classes.length > 1 ? s.leaks.map((l) => rate(l.bytesPerHour)).join('+') : rate(m.leak_bytes_per_hour);
    return [m.scenario, interval(m.interval_seconds), rates, expected, got, ttf, ttd, `${infos}${s.infoOk ? '' : ' MISSING INFO'}`];
  });
  const header = ['series', 'interval', 'MB/h', 'expected', 'warning/critical findings (class@minute)', 'first finding', 'warning', 'info findings'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const leaks = score.series.reduce((n, s) => n + s.leaks.length, 0);
  const healthy = score.series.filter((s) => s.leaks.length === 0).length;
  return [
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    `${score.series.length} series (${leaks} expected leaks, ${healthy} healthy)`,
    `precision ${score.precision.toFixed(3)}   recall ${score.recall.toFixed(3)}   class accuracy ${score.classAccuracy.toFixed(3)}   warning/critical findings on healthy series: ${score.trapAlerts}`,
    `info findings on healthy series: ${Object.values(score.trapInfos).reduce((a, b) => a + b, 0)} (${Object.entries(score.trapInfos).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}; info findings are not alarms)`,
    `median time to first finding (its class, any severity): ${minutes(score.medianFastFirstMinutes)} for leaks >= 20 MB/h at a 1-minute interval (target <= 40 min); ${minutes(score.medianSlowFirstMinutes)} for 3-8 MB/h leaks (target <= 120 min)`,
    `median time to warning: ${minutes(score.medianFastMinutes)} for leaks >= 20 MB/h at a 1-minute interval; ${minutes(score.medianSlowMinutes)} for 3-8 MB/h leaks`,
  ].join('\n');
}

/** Series with an expected leak that no correct warning found (a series of two leaks is named once per leak missed). */
export function missedLeaks(score: CorpusScore): string[] {
  return score.series.flatMap((s) => s.leaks.filter((l) => l.finding === null).map(() => s.manifest.scenario));
}

/** Healthy series that raised a warning/critical finding. */
export function warnedHealthy(score: CorpusScore): string[] {
  return score.series.filter((s) => s.leaks.length === 0 && s.alerts.length > 0).map((s) => s.manifest.scenario);
}

/** The summary of a degraded replay (degrade.ts): its scores, the healthy series that warn and the leaks missed. */
export function renderDegraded(degradation: Degradation, score: CorpusScore): string {
  const leaks = score.series.reduce((n, s) => n + s.leaks.length, 0);
  const healthy = score.series.filter((s) => s.leaks.length === 0).length;
  return [
    `${degradation} (${DEGRADATIONS[degradation]}): ${score.series.length} series (${leaks} expected leaks, ${healthy} healthy)`,
    `  precision ${score.precision.toFixed(3)}   recall ${score.recall.toFixed(3)}   class accuracy ${score.classAccuracy.toFixed(3)}   warning/critical findings on healthy series: ${score.trapAlerts}`,
    `  healthy series that warn: ${warnedHealthy(score).join(', ') || 'none'}`,
    `  leaks missed: ${missedLeaks(score).join(', ') || 'none'}`,
  ].join('\n');
}
