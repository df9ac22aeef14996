/**
 * Observes the daemon as deployed: runs the CLI as a child process against a
 * simulated fleet, samples its RSS, JS heap, scrape counters and latencies from
 * its own /metrics every second, and stops it. Shared by the soak (test and
 * `npm run soak`) and bench/fleet.bench.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Fleet } from './fleet.js';
import { CLI } from './paths.js';
import { startManaged, stopByPid, waitForHttp } from './processes.js';

const MiB = 1024 * 1024;

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
  /**
   * Force a full GC in the daemon every second (periodic-gc.ts preload), so
   * the sampled JS heap is what it retains rather than garbage awaiting V8's
   * next mark-compact.
   */
  forceGc?: boolean;
  /**
   * Plant a leak in the daemon (planted-leak.ts preload: 1 MiB of JS heap
   * kept a second), to show that the soak still calls retained growth
   * growing, forced GC and all.
   */
  plantLeak?: boolean;
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
  if (o.forceGc) nodeArgs.push('--expose-gc', '--import', new URL('./periodic-gc.js', import.meta.url).href);
  if (o.plantLeak) nodeArgs.push('--import', new URL('./planted-leak.js', import.meta.url).href);
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
