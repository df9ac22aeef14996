/**
 * heapwatch against hostile targets, with the default limits, as a separate
 * process (so its RSS is its own):
 *
 * 1. every hostile behaviour at once (gzip bomb, 200 MB bodies with and
 *    without Content-Length, slow drip, reset, cross-host redirect, HTML,
 *    garbage, truncated, endless headers, bad TLS, a hung target) next to
 *    one healthy target: peak RSS, and the share of the healthy target's
 *    slots that produced a scrape;
 * 2. a profile with 10^6 functions, then one with 200,000: the code it is
 *    refused with, and /healthz latency (p50/p99/max) probed every 20 ms
 *    while such profiles arrive.
 *
 * Defaults except scrape_interval (2 s, to count slots; the timeout is then
 * capped at 2 s). Usage: node dist/bench/hostile.bench.js [--seconds 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { GOOD_PROFILE, startHostileServer } from '../test/helpers/hostile-server.js';
import { hugeHeapProfile } from '../test/helpers/huge-profile.js';
import { freePort } from '../test/helpers/daemon.js';
import { median } from './stats.js';

function percentile(xs: readonly number[], q: number): number {
  if (q === 0.5) return median(xs);
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 60);
const INTERVAL_S = 2;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function startDaemon(config: object, dir: string): Promise<{ child: ChildProcess; base: string; stop: () => Promise<number> }> {
  const port = await freePort();
  const path = join(dir, `heapwatch-${port}.yaml`);
  writeFileSync(path, stringify({ ...config, storage: { path: join(dir, `hw-${port}.db`) }, api: { listen: `127.0.0.1:${port}` }, log: { level: 'warn' } }));
  const out = openSync(join(dir, `hw-${port}.log`), 'a');
  const child = spawn(process.execPath, [CLI, 'run', '--config', path], { stdio: ['ignore', out, out] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('daemon did not start');
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    base,
    /** SIGTERM; resolves with the milliseconds until the process exited. */
    stop: () =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        child.once('exit', () => resolve(performance.now() - t));
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

interface TargetRow { labels: { service: string }; scrapes: number; failures: number; last_error: { code: string } | null }

async function hostileRun(dir: string): Promise<void> {
  const hostile = await startHostileServer();
  const tls = await startHostileServer({ tls: true });
  const paths = ['/bomb', '/oversized', '/huge-chunked', '/slow-drip', '/reset-mid-body', '/redirect-other-host', '/html', '/html-octet', '/garbage', '/truncated', '/truncated-raw', '/headers-never-end', '/hang'];
  const targets = [
    { url: `${hostile.url}/good`, labels: { service: 'healthy' } },
    ...paths.map((p) => ({ url: `${hostile.url}${p}`, labels: { service: p.slice(1) } })),
    { url: `${tls.url}/good`, labels: { service: 'bad-tls' } },
  ];
  const hw = await startDaemon({ global: { scrape_interval: `${INTERVAL_S}s` }, targets }, dir);
  const started = Date.now();
  let peak = 0;
  const samples: number[] = [];
  while (Date.now() - started < SECONDS * 1000) {
    const rss = rssOf(hw.child.pid!);
    peak = Math.max(peak, rss);
    samples.push(rss);
    await new Promise((r) => setTimeout(r, 250));
  }
  const rows = ((await (await fetch(`${hw.base}/api/v1/targets`)).json()) as { targets: TargetRow[] }).targets;
  const elapsed = (Date.now() - started) / 1000;
  const stopMs = await hw.stop();
  await hostile.close();
  await tls.close();
  const healthy = rows.find((r) => r.labels.service === 'healthy')!;
  // The first slot falls anywhere in the first interval: expected = whole intervals elapsed.
  const expected = Math.floor(elapsed / INTERVAL_S);
  const ok = healthy.scrapes - healthy.failures;
  process.stdout.write(`hostile targets (${rows.length - 1}) + 1 healthy, default limits, ${INTERVAL_S} s interval, ${elapsed.toFixed(0)} s\n`);
  process.stdout.write(`  daemon RSS: peak ${(peak / 1048576).toFixed(0)} MiB, median ${(percentile(samples, 0.5) / 1048576).toFixed(0)} MiB, end ${(samples.at(-1)! / 1048576).toFixed(0)} MiB (limit 400 MB)\n`);
  process.stdout.write(`  healthy target: ${ok} good scrapes of ${expected} slots (${((100 * ok) / expected).toFixed(0)} %, need >= 90 %)\n`);
  process.stdout.write(`  SIGTERM to exit: ${(stopMs / 1000).toFixed(1)} s (scrape timeout ${INTERVAL_S} s here)\n`);
  for (const r of rows.filter((x) => x !== healthy)) process.stdout.write(`  ${r.labels.service.padEnd(20)} ${r.last_error?.code ?? '(no error)'} x${r.failures}\n`);
}

/** `functions` 0: the control run, with a small real profile, for the same probes on the same machine. */
async function hugeRun(dir: string, functions: number): Promise<void> {
  const t0 = performance.now();
  const body = functions === 0 ? GOOD_PROFILE : hugeHeapProfile({ functions, depth: 2 });
  const genMs = performance.now() - t0;
  // Served from its own process: sending 28 MB from this one would delay its own /healthz probes.
  const file = join(dir, `profile-${functions}.pb.gz`);
  writeFileSync(file, body);
  const serverPort = await freePort();
  const script = `const b=require('fs').readFileSync(${JSON.stringify(file)});require('http').createServer((q,r)=>r.writeHead(200,{'content-type':'application/octet-stream'}).end(b)).listen(${serverPort},'127.0.0.1')`;
  const server = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const url = `http://127.0.0.1:${serverPort}/debug/pprof/heap`;
  const hw = await startDaemon({ global: { scrape_interval: `${INTERVAL_S}s` }, targets: [{ url, labels: { service: 'huge' } }] }, dir);
  const latencies: number[] = [];
  let peak = 0;
  const started = Date.now();
  let rows: TargetRow[] = [];
  while (Date.now() - started < Math.min(SECONDS, 30) * 1000) {
    const s = performance.now();
    await (await fetch(`${hw.base}/healthz`)).text();
    latencies.push(performance.now() - s);
    peak = Math.max(peak, rssOf(hw.child.pid!));
    await new Promise((r) => setTimeout(r, 20));
  }
  rows = ((await (await fetch(`${hw.base}/api/v1/targets`)).json()) as { targets: TargetRow[] }).targets;
  const stopMs = await hw.stop();
  server.kill('SIGTERM');
  const r = rows[0]!;
  const what = functions === 0 ? 'control: small real profile' : `${functions.toLocaleString('en')}-function profile`;
  process.stdout.write(
    `${what} (${(body.length / 1e6).toFixed(1)} MB gz, generated in ${(genMs / 1000).toFixed(1)} s): ` +
      `${r.failures} of ${r.scrapes} scrapes refused with ${r.last_error?.code ?? '(none)'}; /healthz p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} probes; daemon RSS peak ${(peak / 1048576).toFixed(0)} MiB; SIGTERM to exit ${(stopMs / 1000).toFixed(1)} s\n`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'hw-hostile-bench-'));
if (!process.argv.includes('--huge-only')) await hostileRun(dir);
await hugeRun(dir, 0);
await hugeRun(dir, 1_000_000);
await hugeRun(dir, 200_000);
