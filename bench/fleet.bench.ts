/**
 * Fleet benchmark, time compressed: the daemon as a child process scrapes
 * 1,000 simulated targets (real corpus series) every 1 s, the scrape rate
 * of 1,000 targets at 60 s compressed 60×; when that is more than the
 * machine can do, it also runs at 5 s (12× compressed). Every second it
 * times one GET /metrics and one GET /api/v1/targets/<id>/functions?window=24h
 * and reads the daemon's own metrics; at the end it reports the figures
 * next to the issue's targets.
 *
 * Scaling to a 60 s interval: per-scrape work dominates, so
 *   CPU share at 60 s ≈ (measured CPU share ÷ scrapes done per second) × (targets / 60)
 * which is measured share × interval_s/60 when every scrape happens (and
 * stays right when the daemon cannot keep up and skips slots);
 * and disk per target-day = bytes per scrape × 1440.
 *
 * Build with `npx tsc -p tsconfig.json && node scripts/copy-assets.mjs`, run with
 * `node dist/bench/fleet.bench.js [--targets 1000] [--interval 1] [--cycles 120]
 *   [--fallback-interval 5] [--fallback-cycles 60] [--no-fallback] [--concurrency 16] [--cpu-prof]
 *   [--mix 2,5,3 | --mix large]`.
 * `--interval N` alone runs only that interval.
 *
 * `--mix` replaces the Kitex corpus (7 KB profiles) by real-sized profiles
 * recorded from test/fixtures/go/bigservice (issue 17): tenths of the targets
 * at 7 KB (corpus), ~100 KB (a gRPC gateway) and ~450 KB (a client-go
 * controller), e.g. `--interval 60 --cycles 10 --mix 2,5,3`, and judges the
 * run against issue 17's targets (RSS ≤ 1.5 GB and flat over the last half,
 * event-loop p99 ≤ 100 ms, /metrics p99 ≤ 250 ms, 0 skipped slots).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { median } from '../src/detect/stats.js';
import { startFleet } from '../test/helpers/fleet.js';
import { observeDaemon, type DaemonSample, type Observation } from '../test/helpers/observe-daemon.js';
import { mixedSeries } from '../test/helpers/scale-series.js';
import { analyzeCpuProfiles, type CpuProfileSummary } from './cpu-profile.js';
import { intFlag } from './flags.js';

const MB = 1e6;

interface Latency {
  median: number;
  p95: number;
  p99: number;
  max: number;
}

interface FleetFigures {
  /** Profile-size mix in tenths (small 7 KB / medium ~100 KB / large ~450 KB); undefined: the Kitex corpus only. */
  mix: Mix | undefined;
  targets: number;
  intervalS: number;
  cycles: number;
  wallS: number;
  startupS: number;
  cpuShare: number;
  cpuShareProc: number | undefined;
  cpuShareAt60: number;
  harnessCpuShare: number;
  rssMedian: number;
  rssMax: number;
  /** Median RSS of the last quarter of the run ÷ that of the third quarter: 1.0 is flat over the last half. */
  rssLateRatio: number;
  /** Least-squares RSS slope over the last half, as growth over that half (bytes). */
  rssLastHalfGrowth: number;
  warnings: Record<string, number>;
  heapMedian: number;
  skipped: number;
  expected: number;
  actual: number;
  errors: number;
  lagP99Max: number;
  /** Worst p99 during start-up (the first 10 % of the run: every target's first scrape and keyframe). */
  lagP99StartupMax: number;
  lagP99Median: number;
  harnessLagMax: number;
  metrics: Latency;
  metricsBytes: number;
  api: Latency;
  apiErrors: number;
  bytesPerScrape: number;
  finalDbBytes: number;
  storedScrapes: number;
  tables: { name: string; bytes: number }[];
  /** Bytes of everything but raw profiles, per stored scrape. */
  valuesBytesPerScrape: number;
  profiles: { rows: number; hourly: number; epochStart: number; avgBytes: number };
  loadavg: { start: number; end: number };
  cpuProfile: CpuProfileSummary | undefined;
}

function latency(values: readonly number[]): Latency {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
  return { median: median(s), p95: q(0.95), p99: q(0.99), max: s.at(-1) ?? NaN };
}

function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

// ---------------------------------------------------------------- one run

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, x) => a + x, 0) / n;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

function figures(
  mix: Mix | undefined,
  targets: number,
  intervalS: number,
  cycles: number,
  obs: Observation,
): Omit<FleetFigures, 'finalDbBytes' | 'storedScrapes' | 'tables' | 'valuesBytesPerScrape' | 'profiles' | 'cpuProfile'> {
  const s: DaemonSample[] = obs.samples;
  if (s.length < 4) throw new Error(`only ${s.length} samples`);
  // Steady window: skip the first 10 % (start-up, first keyframes, JIT warm-up).
  const a = s[Math.max(2, Math.floor(s.length * 0.1))]!;
  const b = s.at(-1)!;
  const wall = (b.t - a.t) / 1000;
  const scraped = (x: DaemonSample): number => x.ok + x.stale + x.error;
  const cpuShare = (b.cpuSeconds - a.cpuSeconds) / wall;
  const cpuShareProc = a.procCpuSeconds !== undefined && b.procCpuSeconds !== undefined ? (b.procCpuSeconds - a.procCpuSeconds) / wall : undefined;
  const steady = s.slice(s.indexOf(a));
  const half = s.slice(Math.floor(s.length / 2));
  const q3 = s.slice(Math.floor(s.length / 2), Math.floor((s.length * 3) / 4));
  const q4 = s.slice(Math.floor((s.length * 3) / 4));
  return {
    mix,
    targets,
    intervalS,
    cycles,
    wallS: b.t / 1000,
    startupS: obs.startupMs / 1000,
    cpuShare,
    cpuShareProc,
    // CPU per scrape actually done × the scrape rate at 60 s; equal to
    // cpuShare × interval/60 when the daemon keeps up, and still right when it does not.
    cpuShareAt60: (cpuShare / Math.max(1e-9, (scraped(b) - scraped(a)) / wall)) * (targets / 60),
    harnessCpuShare: obs.harnessCpuShare,
    rssMedian: median(steady.map((x) => x.rss)),
    rssMax: Math.max(...s.map((x) => x.rss)),
    rssLateRatio: median(q4.map((x) => x.rss)) / median(q3.map((x) => x.rss)),
    rssLastHalfGrowth: slope(half.map((x) => x.t), half.map((x) => x.rss)) * (half.at(-1)!.t - half[0]!.t),
    warnings: obs.warnings,
    heapMedian: median(steady.map((x) => x.heapUsed)),
    skipped: b.skipped - a.skipped,
    expected: Math.round((targets * wall) / intervalS),
    actual: scraped(b) - scraped(a),
    errors: b.error - a.error,
    lagP99Max: Math.max(...steady.map((x) => x.lagP99)),
    lagP99StartupMax: Math.max(...s.slice(0, s.indexOf(a)).map((x) => x.lagP99)),
    lagP99Median: median(steady.map((x) => x.lagP99)),
    harnessLagMax: Math.max(...s.map((x) => x.harnessLagMs)),
    metrics: latency(s.map((x) => x.metricsMs)),
    metricsBytes: median(s.map((x) => x.metricsBytes)),
    api: latency(s.flatMap((x) => (x.apiMs === undefined ? [] : [x.apiMs]))),
    apiErrors: obs.apiErrors,
    bytesPerScrape: (b.dbBytes - a.dbBytes) / Math.max(1, scraped(b) - scraped(a)),
    loadavg: obs.loadavg,
  };
}

function dbBreakdown(
  dbPath: string,
): Pick<FleetFigures, 'finalDbBytes' | 'storedScrapes' | 'tables' | 'valuesBytesPerScrape' | 'profiles'> {
  // The daemon has stopped: closing its last connection checkpointed the WAL into the main file.
  const db = new Database(dbPath, { readonly: true });
  try {
    const storedScrapes = (db.prepare('SELECT COUNT(*) AS n FROM scrapes').get() as { n: number }).n;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    let tables: { name: string; bytes: number }[] = [];
    try {
      tables = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as typeof tables;
    } catch {
      // dbstat not compiled in: no breakdown.
    }
    const profiles = db
      .prepare('SELECT COUNT(*) AS rows, COALESCE(SUM(hourly), 0) AS hourly, COALESCE(SUM(epoch_start), 0) AS epochStart, COALESCE(AVG(LENGTH(bytes)), 0) AS avgBytes FROM profiles')
      .get() as FleetFigures['profiles'];
    const profileBytes = tables.filter((t) => t.name.includes('profiles')).reduce((a, t) => a + t.bytes, 0);
    const valuesBytesPerScrape = tables.length > 0 ? (pages * pageSize - profileBytes) / Math.max(1, storedScrapes) : NaN;
    return { finalDbBytes: pages * pageSize, storedScrapes, tables: tables.slice(0, 8), valuesBytesPerScrape, profiles };
  } finally {
    db.close();
  }
}

async function runFleet(mix: Mix | undefined, targets: number, intervalS: number, cycles: number, concurrency: number, cpuProf: boolean): Promise<FleetFigures> {
  console.error(`fleet: ${targets} targets every ${intervalS} s for ${cycles} cycles (${((cycles * intervalS) / 60).toFixed(1)} min)${mix ? `, size mix ${mixText(mix)}` : ''}`);
  const fleet = await startFleet({ targets, interval: `${intervalS}s`, maxConcurrentScrapes: concurrency, seriesOf: mix ? mixedSeries(mix) : undefined });
  const cpuProfDir = cpuProf ? mkdtempSync(join(tmpdir(), 'hw-cpuprof-')) : undefined;
  try {
    const obs = await observeDaemon({ fleet, intervalS, cycles, apiProbe: true, cpuProfDir, progress: (l) => console.error(l) });
    if (cpuProfDir) console.error(`  CPU profiles in ${cpuProfDir}`);
    return {
      ...figures(mix, targets, intervalS, cycles, obs),
      ...dbBreakdown(fleet.dbPath),
      cpuProfile: cpuProfDir ? analyzeCpuProfiles(cpuProfDir) : undefined,
    };
  } finally {
    await fleet.close();
  }
}

// ---------------------------------------------------------------- report

const pct = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / MB).toFixed(1)} MB`;
const lat = (l: Latency): string => `${ms(l.median)} / ${ms(l.p95)} / ${ms(l.p99)} / ${ms(l.max)}`;
const mark = (ok: boolean): string => (ok ? '✅' : '❌');

type Mix = readonly [small: number, medium: number, large: number];
const mixText = (m: Mix): string => `${m[0] * 10} % 7 KB / ${m[1] * 10} % 100 KB / ${m[2] * 10} % 450 KB`;

/** What each kind of run must show: the corpus fleet's original targets, issue 17's for real-sized profiles. */
interface Limits {
  cpuAt60: number | undefined;
  rss: number;
  lagP99: number;
  metrics: (l: Latency) => number;
  metricsLabel: string;
  metricsLimit: number;
  apiP95: number | undefined;
}

function limitsOf(r: FleetFigures): Limits {
  if (!r.mix) return { cpuAt60: 0.25, rss: 300 * MB, lagP99: 0.05, metrics: (l) => l.p95, metricsLabel: 'p95', metricsLimit: 100, apiP95: 50 };
  // All-large: no target but staying up within a documented bound (README).
  const allLarge = r.mix[2] === 10;
  return { cpuAt60: undefined, rss: (allLarge ? 2.5e3 : 1.5e3) * MB, lagP99: 0.1, metrics: (l) => l.p99, metricsLabel: 'p99', metricsLimit: 250, apiP95: undefined };
}

function comparison(runs: FleetFigures[]): string {
  const head = `| figure | ${runs.map((r) => `${r.targets} targets @ ${r.intervalS} s${r.mix ? `, ${mixText(r.mix)}` : ''}`).join(' | ')} |`;
  const sep = `|---|${runs.map(() => '---|').join('')}`;
  const row = (name: string, cell: (r: FleetFigures, l: Limits) => string): string => `| ${name} | ${runs.map((r) => cell(r, limitsOf(r))).join(' | ')} |`;
  const limit = (x: number | undefined, text: string): string => (x === undefined ? '' : ` (≤ ${text})`);
  return [
    head,
    sep,
    row('daemon CPU at a 60 s interval (share of one core) = CPU per scrape done × targets/60', (r, l) =>
      `${l.cpuAt60 === undefined ? '' : `${mark(r.cpuShareAt60 <= l.cpuAt60)} `}${pct(r.cpuShareAt60)}${limit(l.cpuAt60, pct(l.cpuAt60 ?? 0))}; per target ${((r.cpuShareAt60 / r.targets) * 1e5).toFixed(1)} ‰ of a core per 100 targets`,
    ),
    row('daemon CPU as measured (metrics / /proc)', (r) => `${pct(r.cpuShare)} / ${pct(r.cpuShareProc)}`),
    row('RSS median / max', (r, l) => `${mark(r.rssMax <= l.rss)} ${mb(r.rssMedian)} / ${mb(r.rssMax)} (≤ ${mb(l.rss)})`),
    row('RSS over the last half: last quarter ÷ third quarter (medians); fitted growth', (r) =>
      `${mark(r.rssLateRatio <= 1.05)} ${r.rssLateRatio.toFixed(3)}; ${r.rssLastHalfGrowth >= 0 ? '+' : ''}${mb(r.rssLastHalfGrowth)}`,
    ),
    row('JS heap median', (r) => mb(r.heapMedian)),
    row('missed scrapes: skipped slots; expected − actual', (r) => {
      const missing = r.expected - r.actual;
      // Scrapes in flight at either end of the window make ±concurrency noise.
      return `${mark(r.skipped === 0 && missing <= r.targets * 0.01)} ${r.skipped}; ${r.expected} − ${r.actual} = ${missing} (${pct(missing / r.expected)})`;
    }),
    row('scrape errors', (r) => String(r.errors)),
    row('event-loop p99 per second after start-up: max (median); during start-up: max', (r, l) =>
      `${mark(r.lagP99Max <= l.lagP99)} ${ms(r.lagP99Max * 1000)} (${ms(r.lagP99Median * 1000)}); ${ms(r.lagP99StartupMax * 1000)} (≤ ${ms(l.lagP99 * 1000)})`,
    ),
    row('/metrics latency median / p95 / p99 / max', (r, l) => `${mark(l.metrics(r.metrics) <= l.metricsLimit)} ${lat(r.metrics)} (${l.metricsLabel} ≤ ${l.metricsLimit} ms; ${mb(r.metricsBytes)})`),
    row('API functions?window=24h median / p95 / p99 / max', (r, l) =>
      `${l.apiP95 === undefined ? '' : `${mark(r.api.p95 <= l.apiP95)} `}${lat(r.api)}${r.apiErrors ? `, ${r.apiErrors} errors` : ''}`,
    ),
    row('daemon warnings/errors logged (by message)', (r) =>
      Object.entries(r.warnings)
        .map(([m, n]) => `${n}× ${m}`)
        .join('; ') || 'none',
    ),
    row('disk per scrape (DB+WAL growth)', (r) => `${(r.bytesPerScrape / 1024).toFixed(1)} KiB`),
    row('steady-state disk per target-day at 60 s = (DB − raw profiles) ÷ scrapes × 1440 + 24 hourly raw profiles', (r) => {
      const day = r.valuesBytesPerScrape * 1440 + 24 * r.profiles.avgBytes;
      return `${mb(day)} (${(r.valuesBytesPerScrape / 1024).toFixed(2)} KiB/scrape, raw profile ${(r.profiles.avgBytes / 1024).toFixed(1)} KiB)`;
    }),
    row('raw profiles kept: rows (epoch-start / hourly)', (r) => `${r.profiles.rows} (${r.profiles.epochStart} / ${r.profiles.hourly})`),
    row('final DB size ÷ stored scrapes', (r) => `${mb(r.finalDbBytes)} ÷ ${r.storedScrapes} = ${(r.finalDbBytes / Math.max(1, r.storedScrapes) / 1024).toFixed(1)} KiB`),
    row('harness CPU (profile server + probes) / its loop p99 max', (r) => `${pct(r.harnessCpuShare)} / ${ms(r.harnessLagMax)}`),
    row('wall / daemon start-up', (r) => `${r.wallS.toFixed(0)} s / ${r.startupS.toFixed(1)} s`),
    row('load average (1 min) start / end (the machine is shared)', (r) => `${r.loadavg.start.toFixed(2)} / ${r.loadavg.end.toFixed(2)}`),
  ].join('\n');
}

function details(r: FleetFigures): string {
  const out = [`### ${r.targets} targets @ ${r.intervalS} s`, '', 'SQLite space by table/index (dbstat):', ''];
  for (const t of r.tables) out.push(`- ${t.name}: ${mb(t.bytes)}`);
  for (const t of r.cpuProfile?.threads ?? []) {
    out.push('', `CPU profile ${t.file}: ${(t.totalMs / 1000).toFixed(1)} s busy`, '', '| self time by module | ms | share |', '|---|---|---|');
    for (const e of t.byModule.slice(0, 12)) out.push(`| ${e.name} | ${e.selfMs.toFixed(0)} | ${pct(e.share)} |`);
    out.push('', '| self time by function | ms | share |', '|---|---|---|');
    for (const e of t.top) out.push(`| ${e.name.replaceAll('|', '\\|')} | ${e.selfMs.toFixed(0)} | ${pct(e.share)} |`);
  }
  return out.join('\n');
}

/** `--mix 2,5,3` (tenths at 7 KB / 100 KB / 450 KB) or `--mix large` (all 450 KB); absent: the Kitex corpus fleet. */
function mixFlag(): Mix | undefined {
  const i = process.argv.indexOf('--mix');
  if (i < 0) return undefined;
  const v = process.argv[i + 1] ?? '';
  if (v === 'large') return [0, 0, 10];
  const parts = v.split(',').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isInteger(x) || x < 0) || parts[0]! + parts[1]! + parts[2]! !== 10) {
    throw new Error(`--mix wants three tenths adding up to 10 (e.g. 2,5,3) or "large", not "${v}"`);
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}

async function main(): Promise<void> {
  const targets = intFlag('--targets', 1000, 5000);
  const explicit = process.argv.includes('--interval');
  const intervalS = intFlag('--interval', 1, 300);
  const cycles = intFlag('--cycles', 120, 10_000);
  const fallbackS = intFlag('--fallback-interval', 5, 300);
  const fallbackCycles = intFlag('--fallback-cycles', 60, 10_000);
  const concurrency = intFlag('--concurrency', 16, 1000);
  const cpuProf = hasFlag('--cpu-prof');
  const mix = mixFlag();
  const runs = [await runFleet(mix, targets, intervalS, cycles, concurrency, cpuProf)];
  const first = runs[0]!;
  const keptUp = first.skipped === 0 && first.expected - first.actual <= targets * 0.01;
  if (!keptUp) {
    console.error(
      `fleet: at ${intervalS} s the daemon did ${first.actual} of ${first.expected} expected scrapes (${pct(first.actual / first.expected)}), ${first.skipped} slots skipped`,
    );
  }
  if (!keptUp && !explicit && !hasFlag('--no-fallback') && fallbackS !== intervalS) {
    runs.push(await runFleet(mix, targets, fallbackS, fallbackCycles, concurrency, cpuProf));
  }
  console.log(comparison(runs));
  for (const r of runs) console.log(`\n${details(r)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
