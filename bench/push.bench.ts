/**
 * Push receivers benchmark: the daemon as its own process with push enabled
 * (default limits and detection), fed Connect PushRequests (what Alloy
 * sends) carrying real Kitex corpus heap profiles, each pushing service
 * replaying its own corpus series so profiles change as a real service's do.
 *
 *   1. throughput: 200 services, 16 requests in flight, for --burst-s
 *      seconds: pushes stored per second, and the daemon's CPU meanwhile;
 *   2. steady fleet: 1,000 services at one push every 15 s each (66.7
 *      pushes/s, spread evenly), for --fleet-s seconds: the daemon's CPU
 *      share of one core (from /proc/<pid>/stat), push latency, RSS.
 *
 * Build with `npx tsc -p tsconfig.json && node scripts/copy-assets.mjs`, run
 * with `node dist/bench/push.bench.js [--burst-s 20] [--fleet-s 60] [--services 1000]`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encodePushRequest } from '../test/helpers/push-request.js';
import { freePort } from '../test/helpers/daemon.js';
import { fleetSeries } from '../test/helpers/fleet.js';
import { CLI } from '../test/helpers/paths.js';
import { startManaged, waitForHttp } from '../test/helpers/processes.js';
import { intFlag } from './flags.js';

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function main(): Promise<void> {
  const burstS = intFlag('--burst-s', 20, 600);
  const fleetS = intFlag('--fleet-s', 60, 3600);
  const services = intFlag('--services', 1000, 10_000);
  const series = fleetSeries();
  const dir = mkdtempSync(join(tmpdir(), 'hw-push-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configPath = join(dir, 'heapwatch.yaml');
  writeFileSync(
    configPath,
    stringify({
      storage: { path: join(dir, 'heapwatch.db') },
      api: { listen: `127.0.0.1:${port}` },
      log: { level: 'warn' },
      push: { enabled: true, max_targets: services + 500, rate_limit: { requests_per_second: 100_000, burst: 100_000 }, interval: '15s' },
    }),
  );
  const proc = startManaged('heapwatch', process.execPath, [CLI, 'run', '--config', configPath], join(dir, 'daemon.log'));
  const pid = proc.child.pid!;
  const cursor = new Map<number, number>();
  const request = (n: number): Uint8Array => {
    const s = series[n % series.length]!;
    const i = ((cursor.get(n) ?? n) + 1) % s.profiles.length;
    cursor.set(n, i);
    const labels: [string, string][] = [['__name__', 'memory'], ['__delta__', 'false'], ['service_name', `svc-${n}`], ['instance', `10.1.${n >> 8}.${n & 255}:6060`]];
    return encodePushRequest([{ labels, samples: [{ id: `${n}-${i}`, raw: s.profiles[i]! }] }]);
  };
  const push = async (n: number): Promise<{ ok: boolean; ms: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${base}/push.v1.PusherService/Push`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body: request(n), signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return { ok: res.status === 200, ms: performance.now() - t0 };
  };
  try {
    await waitForHttp(`${base}/readyz`, 60_000, proc);

    // 1. Throughput.
    const burstServices = 200;
    let stored = 0;
    let failed = 0;
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    const end = t0 + burstS * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < end) {
          const r = await push(next++ % burstServices);
          if (r.ok) stored++;
          else failed++;
        }
      }),
    );
    const burstWall = (performance.now() - t0) / 1000;
    const burstCpu = (cpuSeconds(pid) - c0) / burstWall;

    // 2. 1,000 services, one push every 15 s each, spread evenly.
    const periodMs = 15_000;
    const latencies: number[] = [];
    let fleetFailed = 0;
    const rss: number[] = [];
    const inFlight: Promise<void>[] = [];
    // A first round so every service exists (its first profile is a keyframe), then the measured window.
    const f0 = performance.now();
    const c1 = { cpu: 0, at: 0 };
    const total = Math.ceil(((periodMs + fleetS * 1000) / periodMs) * services);
    for (let k = 0; k < total; k++) {
      await sleep(f0 + (k * periodMs) / services - performance.now());
      if (k === services) {
        c1.cpu = cpuSeconds(pid);
        c1.at = performance.now();
      }
      const measured = k >= services;
      inFlight.push(
        push(k % services).then((r) => {
          if (!measured) return;
          latencies.push(r.ms);
          if (!r.ok) fleetFailed++;
        }),
      );
      if (k % services === 0) rss.push(rssBytes(pid));
      if (inFlight.length > 5000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    const fleetWall = (performance.now() - c1.at) / 1000;
    const fleetCpu = (cpuSeconds(pid) - c1.cpu) / fleetWall;
    latencies.sort((a, b) => a - b);
    const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| throughput: pushes stored per second (200 services, 16 in flight, ${burstS} s) | ${(stored / burstWall).toFixed(0)} (${failed} failed) |`);
    console.log(`| daemon CPU during the throughput run | ${(burstCpu * 100).toFixed(0)} % of a core |`);
    console.log(`| ${services} services, one push every 15 s each (${(services / 15).toFixed(1)} pushes/s), ${fleetS} s | ${latencies.length} pushes, ${fleetFailed} failed |`);
    console.log(`| daemon CPU at that rate | ${(fleetCpu * 100).toFixed(1)} % of a core |`);
    console.log(`| push latency p50 / p99 / max | ${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)} / ${(latencies.at(-1) ?? 0).toFixed(1)} ms |`);
    console.log(`| daemon RSS (per round) | ${rss.map(mb).join(', ')} |`);
  } finally {
    await proc.stop();
  }
}

await main();
