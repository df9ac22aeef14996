/**
 * Soak: runs the daemon as a child process (the CLI, as deployed) against a
 * simulated fleet for a fixed number of scrape cycles, samples its RSS and
 * JS heap from its own /metrics every second, and after a warm-up judges
 * whether memory is flat with heapwatch's own trend detector (assessTrend)
 * plus a median-ratio cross-check. Never asserts on absolute timings.
 *
 * Build with `npx tsc -p tsconfig.json && node scripts/copy-assets.mjs`, run with
 * `node dist/bench/soak.js [--targets 200] [--interval 1] [--cycles 600] [--concurrency 16] [--series FILE] [--detect-window 15m]`.
 * Exits 1 when the verdict is "growing".
 *
 * The daemon-observation machinery here (`observeDaemon`) is shared with
 * bench/fleet.bench.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DEFAULT_DETECT_PARAMS } from '../src/detect/params.js';
import { median } from '../src/detect/stats.js';
import { assessTrend, type TrendParams, type TrendVerdict } from '../src/detect/trend.js';
import { startFleet, type Fleet } from '../test/helpers/fleet.js';
import { CLI } from '../test/helpers/paths.js';
import { startManaged, stopByPid, waitForHttp } from '../test/helpers/processes.js';

const MiB = 1024 * 1024;

// ---------------------------------------------------------------- sampling

/** One per-second observation of the daemon child. Counters are cumulative. */
export interface DaemonSample {
  /** ms since the first sample. */
  t: number;
  rss: number;
  heapUsed: number;
  /** heapwatch_process_cpu_seconds_total. */
  cpuSeconds: number;
  /** utime + stime from /proc/<pid>/stat (undefined off Linux). */
  procCpuSeconds: number | undefined;
  ok: number;
  stale: number;
  error: number;
  skipped: number;
  /** heapwatch_nodejs_eventloop_lag_p99_seconds (prom-client resets it at every collect). */
  lagP99: number;
  metricsMs: number;
  metricsBytes: number;
  /** One GET /api/v1/targets/<id>/functions?window=24h, when probing the API. */
  apiMs: number | undefined;
  /** SQLite main file + WAL. */
  dbBytes: number;
  /** This harness's own event-loop delay p99 over the last second (ms): a busy harness inflates latencies. */
  harnessLagMs: number;
}

export interface ObserveOptions {
  fleet: Fleet;
  intervalS: number;
  cycles: number;
  /** Time one functions-API call per sample. */
  apiProbe?: boolean;
  /** Run the daemon with `node --cpu-prof --cpu-prof-dir <dir>`. */
  cpuProfDir?: string;
  /** Progress lines (e.g. console.error). */
  progress?: (line: string) => void;
}

export interface Observation {
  samples: DaemonSample[];
  pid: number;
  startupMs: number;
  /** Harness (this process: profile server + probes) CPU as a share of one core. */
  harnessCpuShare: number;
  apiErrors: number;
  logTail: string;
  /** Warnings and errors the daemon logged, counted by message. */
  warnings: Record<string, number>;
  loadavg: { start: number; end: number };
}

/** Counts the daemon's warn/error log lines (pino JSON, level >= 40) by message. */
export function countWarnings(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { level?: number; msg?: string };
      if ((rec.level ?? 0) >= 40) out[rec.msg ?? '?'] = (out[rec.msg ?? '?'] ?? 0) + 1;
    } catch {
      // Not a log record.
    }
  }
  return out;
}

/** The values this harness needs from a /metrics text; counters summed over labels. */
export function extractMetrics(text: string): Omit<DaemonSample, 't' | 'procCpuSeconds' | 'metricsMs' | 'metricsBytes' | 'apiMs' | 'dbBytes' | 'harnessLagMs'> {
  const m = { rss: NaN, heapUsed: NaN, cpuSeconds: NaN, ok: 0, stale: 0, error: 0, skipped: 0, lagP99: NaN };
  for (const line of text.split('\n')) {
    if (!line.startsWith('heapwatch_')) continue;
    const sp = line.lastIndexOf(' ');
    const brace = line.indexOf('{');
    const name = brace >= 0 && brace < sp ? line.slice(0, brace) : line.slice(0, sp);
    const value = Number(line.slice(sp + 1));
    switch (name) {
      case 'heapwatch_process_resident_memory_bytes':
        m.rss = value;
        break;
      case 'heapwatch_nodejs_heap_size_used_bytes':
        m.heapUsed = value;
        break;
      case 'heapwatch_process_cpu_seconds_total':
        m.cpuSeconds = value;
        break;
      case 'heapwatch_nodejs_eventloop_lag_p99_seconds':
        m.lagP99 = value;
        break;
      case 'heapwatch_scrape_skipped_total':
        m.skipped += value;
        break;
      case 'heapwatch_scrapes_total': {
        const outcome = /outcome="([a-z]+)"/.exec(line)?.[1];
        if (outcome === 'ok' || outcome === 'stale' || outcome === 'error') m[outcome] += value;
        break;
      }
    }
  }
  return m;
}

let clkTck: number | undefined;
function procCpuSeconds(pid: number): number | undefined {
  try {
    clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clkTck;
  } catch {
    return undefined;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function timedGet(url: string): Promise<{ ms: number; status: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Starts `node dist/src/cli/main.js run --config <fleet config>` as a child,
 * waits for /readyz, samples once a second for `cycles × intervalS` seconds
 * (bounded by count and by a deadline), then stops it with SIGTERM.
 */
export async function observeDaemon(o: ObserveOptions): Promise<Observation> {
  const { fleet } = o;
  const nodeArgs = o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [];
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const proc = startManaged('heapwatch', process.execPath, [...nodeArgs, CLI, 'run', '--config', fleet.configPath], join(fleet.dir, 'daemon.log'));
  const pid = proc.child.pid!;
  const samples: DaemonSample[] = [];
  let apiErrors = 0;
  let startupMs = 0;
  let harnessCpu = { user: 0, system: 0 };
  let harnessWall = 0;
  try {
    await waitForHttp(`${fleet.apiUrl}/readyz`, 60_000, proc);
    startupMs = performance.now() - t0;
    let ids: number[] = [];
    if (o.apiProbe) {
      const res = await fetch(`${fleet.apiUrl}/api/v1/targets`, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { targets: { id: number | null }[] };
      ids = body.targets.map((t) => t.id).filter((id): id is number => id !== null);
      if (ids.length === 0) throw new Error('the daemon lists no target ids');
    }
    const count = Math.ceil(o.cycles * o.intervalS) + 1;
    const deadline = Date.now() + count * 1000 + 120_000;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < count && Date.now() < deadline; i++) {
      await sleep(start + i * 1000 - performance.now());
      if (proc.child.exitCode !== null) throw new Error(`the daemon exited (${proc.child.exitCode}):\n${proc.log().slice(-2000)}`);
      const t = performance.now() - start;
      const metrics = await timedGet(`${fleet.apiUrl}/metrics`);
      if (metrics.status !== 200) throw new Error(`/metrics answered ${metrics.status}`);
      let apiMs: number | undefined;
      if (o.apiProbe) {
        const api = await timedGet(`${fleet.apiUrl}/api/v1/targets/${ids[i % ids.length]}/functions?window=24h`);
        if (api.status === 200) apiMs = api.ms;
        else apiErrors++;
      }
      samples.push({
        t,
        ...extractMetrics(metrics.text),
        procCpuSeconds: procCpuSeconds(pid),
        metricsMs: metrics.ms,
        metricsBytes: metrics.text.length,
        apiMs,
        dbBytes: fileSize(fleet.dbPath) + fileSize(`${fleet.dbPath}-wal`),
        harnessLagMs: loopDelay.percentile(99) / 1e6,
      });
      loopDelay.reset();
      if (o.progress && i % 30 === 0) {
        const s = samples.at(-1)!;
        o.progress(
          `  t=${(t / 1000).toFixed(0)}s rss=${(s.rss / MiB).toFixed(0)}MiB heap=${(s.heapUsed / MiB).toFixed(0)}MiB scrapes ok=${s.ok + s.stale} err=${s.error} skipped=${s.skipped} /metrics=${s.metricsMs.toFixed(0)}ms`,
        );
      }
    }
    loopDelay.disable();
    harnessCpu = process.cpuUsage(cpu0);
    harnessWall = performance.now() - start;
  } finally {
    await stopByPid(proc.child, 60_000);
  }
  return {
    samples,
    pid,
    startupMs,
    harnessCpuShare: harnessWall > 0 ? (harnessCpu.user + harnessCpu.system) / 1000 / harnessWall : 0,
    apiErrors,
    logTail: proc.log().slice(-4000),
    warnings: countWarnings(proc.log()),
    loadavg: { start: load0, end: loadavg()[0]! },
  };
}

// ---------------------------------------------------------------- soak

export interface SoakOptions {
  targets: number;
  intervalS: number;
  cycles: number;
  maxConcurrentScrapes?: number;
  /** Fraction of the samples ignored as warm-up (default 0.2). */
  warmup?: number;
  /** assessTrend's minGrowthBytes (default 16 MiB). */
  minGrowthBytes?: number;
  /**
   * The daemon's detect.window. Each target's detection session keeps up to
   * window ÷ 60 s points (the corpus profiles are a minute apart) of per-stack
   * values: a bounded warm-up of window ÷ 60 s scrapes per target that a short
   * soak must get past before memory can be flat. Default: the daemon's (2h).
   */
  detectWindow?: string;
  progress?: (line: string) => void;
}

export interface MemoryFigures {
  start: number;
  /** Median of the samples after warm-up. */
  median: number;
  /** Median of 20–40 % of the samples. */
  earlyMedian: number;
  /** Median of the last 20 %. */
  lateMedian: number;
  /** lateMedian / earlyMedian. */
  ratio: number;
  end: number;
  max: number;
  trend: TrendVerdict;
}

export type SoakVerdict = 'flat' | 'suspect' | 'growing' | 'insufficient';

export interface SoakResult {
  targets: number;
  intervalS: number;
  cycles: number;
  samples: number;
  wallS: number;
  scrapesOk: number;
  scrapesStale: number;
  scrapesError: number;
  skipped: number;
  rss: MemoryFigures;
  heap: MemoryFigures;
  trendParams: TrendParams;
  /**
   * growing: assessTrend calls RSS or heap growing; suspect: not growing but a
   * late/early median ratio above 1.2; insufficient: too few samples to judge.
   */
  verdict: SoakVerdict;
  loadavg: { start: number; end: number };
  logTail: string;
  /** The sampled series (s since the first sample, bytes). */
  series: { t: number; rss: number; heap: number }[];
}

/** DEFAULT_DETECT_PARAMS rescaled from a 1-minute interval over hours to 1 s samples over this run. */
export function soakTrendParams(plannedPoints: number, plannedSpanMs: number, minGrowthBytes: number): TrendParams {
  return {
    ...DEFAULT_DETECT_PARAMS,
    windowMs: Number.MAX_SAFE_INTEGER,
    minWindowMs: plannedSpanMs * 0.5,
    minPoints: Math.max(10, Math.floor(plannedPoints * 0.5)),
    minGrowthBytes,
  };
}

function slice(values: readonly number[], from: number, to: number): number[] {
  const n = values.length;
  return values.slice(Math.floor(n * from), Math.max(Math.floor(n * from) + 1, Math.floor(n * to)));
}

function memoryFigures(times: readonly number[], values: readonly number[], warm: number, params: TrendParams): MemoryFigures {
  const after = values.slice(warm);
  const earlyMedian = median(slice(values, 0.2, 0.4));
  const lateMedian = median(slice(values, 0.8, 1));
  const med = median(after);
  return {
    start: values[0] ?? NaN,
    median: med,
    earlyMedian,
    lateMedian,
    ratio: lateMedian / earlyMedian,
    end: values.at(-1) ?? NaN,
    max: Math.max(...values),
    trend: assessTrend(times.slice(warm), after, med, params),
  };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const fleet = await startFleet({
    targets: opts.targets,
    interval: `${opts.intervalS}s`,
    maxConcurrentScrapes: opts.maxConcurrentScrapes,
    extra: opts.detectWindow ? { detect: { window: opts.detectWindow, min_window: opts.detectWindow, min_points: 5 } } : undefined,
  });
  try {
    const obs = await observeDaemon({ fleet, intervalS: opts.intervalS, cycles: opts.cycles, progress: opts.progress });
    const s = obs.samples.filter((x) => Number.isFinite(x.rss) && Number.isFinite(x.heapUsed));
    const warmupShare = opts.warmup ?? 0.2;
    const warm = Math.floor(s.length * warmupShare);
    const plannedPoints = Math.ceil(opts.cycles * opts.intervalS) * (1 - warmupShare);
    const params = soakTrendParams(plannedPoints, plannedPoints * 1000, opts.minGrowthBytes ?? 16 * MiB);
    const times = s.map((x) => x.t);
    const rss = memoryFigures(
      times,
      s.map((x) => x.rss),
      warm,
      params,
    );
    const heap = memoryFigures(
      times,
      s.map((x) => x.heapUsed),
      warm,
      params,
    );
    const last = s.at(-1);
    let verdict: SoakVerdict = 'flat';
    if (rss.trend.growing || heap.trend.growing) verdict = 'growing';
    else if (rss.trend.reason === 'not enough history' || heap.trend.reason === 'not enough history') verdict = 'insufficient';
    else if (rss.ratio > 1.2 || heap.ratio > 1.2) verdict = 'suspect';
    return {
      targets: opts.targets,
      intervalS: opts.intervalS,
      cycles: opts.cycles,
      samples: s.length,
      wallS: (last?.t ?? 0) / 1000,
      scrapesOk: last?.ok ?? 0,
      scrapesStale: last?.stale ?? 0,
      scrapesError: last?.error ?? 0,
      skipped: last?.skipped ?? 0,
      rss,
      heap,
      trendParams: params,
      verdict,
      loadavg: obs.loadavg,
      logTail: obs.logTail,
      series: s.map((x) => ({ t: x.t / 1000, rss: x.rss, heap: x.heapUsed })),
    };
  } finally {
    await fleet.close();
  }
}

const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;

/** A markdown table of a soak result. */
export function formatSoak(r: SoakResult): string {
  const trend = (t: TrendVerdict): string =>
    `${t.growing ? 'growing' : `not growing (${t.reason})`}, ${mib(t.growthBytes)} over ${(t.spanMs / 1000).toFixed(0)} s, p=${t.pValue.toExponential(1)}`;
  const rows: [string, string][] = [
    ['cycles × interval', `${r.cycles} × ${r.intervalS} s (${r.wallS.toFixed(0)} s sampled, ${r.samples} samples)`],
    ['targets', String(r.targets)],
    ['scrapes ok / stale / error', `${r.scrapesOk} / ${r.scrapesStale} / ${r.scrapesError} (expected ≈ ${Math.round((r.targets * r.wallS) / r.intervalS)})`],
    ['skipped slots', String(r.skipped)],
    ['RSS start / median (after warm-up) / end / max', `${mib(r.rss.start)} / ${mib(r.rss.median)} / ${mib(r.rss.end)} / ${mib(r.rss.max)}`],
    ['RSS median last 20 % ÷ median 20–40 %', r.rss.ratio.toFixed(3)],
    ['RSS trend (assessTrend)', trend(r.rss.trend)],
    ['heap start / median / end', `${mib(r.heap.start)} / ${mib(r.heap.median)} / ${mib(r.heap.end)}`],
    ['heap median last 20 % ÷ median 20–40 %', r.heap.ratio.toFixed(3)],
    ['heap trend (assessTrend)', trend(r.heap.trend)],
    ['growth verdict', r.verdict],
    ['load average (1 min) start / end', `${r.loadavg.start.toFixed(2)} / ${r.loadavg.end.toFixed(2)}`],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** The series as `t rss heap` lines in MiB, every `step`-th sample (for a failure message or a plot). */
export function formatSeries(r: SoakResult, step = 1): string {
  return r.series
    .filter((_, i) => i % step === 0 || i === r.series.length - 1)
    .map((x) => `${x.t.toFixed(0)}s ${(x.rss / MiB).toFixed(1)} ${(x.heap / MiB).toFixed(1)}`)
    .join('\n');
}

// ---------------------------------------------------------------- CLI

export function intFlag(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer in 1..${max}`);
  return v;
}

async function main(): Promise<void> {
  const opts: SoakOptions = {
    targets: intFlag('--targets', 200, 5000),
    intervalS: intFlag('--interval', 1, 300),
    cycles: intFlag('--cycles', 600, 100_000),
    maxConcurrentScrapes: intFlag('--concurrency', 16, 1000),
    minGrowthBytes: intFlag('--min-growth-mib', 16, 4096) * MiB,
    detectWindow: process.argv.includes('--detect-window') ? process.argv[process.argv.indexOf('--detect-window') + 1] : undefined,
    progress: (l) => console.error(l),
  };
  console.error(`soak: ${opts.targets} targets every ${opts.intervalS} s for ${opts.cycles} cycles`);
  const r = await runSoak(opts);
  console.log(formatSoak(r));
  const csv = process.argv.indexOf('--series');
  if (csv >= 0 && process.argv[csv + 1]) writeFileSync(process.argv[csv + 1]!, `t_s rss_mib heap_mib\n${formatSeries(r)}\n`);
  if (r.verdict === 'growing') {
    console.error('soak: memory is growing');
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
