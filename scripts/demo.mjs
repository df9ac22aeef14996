#!/usr/bin/env node
// `npm run demo`: a leaking Go service and the heapwatch daemon, both on
// 127.0.0.1, with the detector scaled down so the first finding appears
// within a minute or two. Prints where to look, waits for that finding,
// then keeps both running until Ctrl-C and stops them by PID.
//
// The service is test/fixtures/go/scenarios in `-mode leak`: it retains
// ~0.85 MB per step in main.(*sessionStore).remember; `-step 5s` (instead of
// the corpus's 1 s) keeps that to ~0.6 GB/h.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const SCENARIOS = join(ROOT, 'test/fixtures/go/scenarios');
const STEP = '5s';
const SCRAPE_INTERVAL = '2s';
const LISTEN_TIMEOUT_MS = 15_000;
const FINDING_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 2_000;
const STOP_TIMEOUT_MS = 10_000;

const log = (line = '') => process.stdout.write(`${line}\n`);
const { fetch, AbortSignal } = globalThis; // Node 20's built-in fetch

function hasGo() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function noGo() {
  log('heapwatch demo: Go is not installed (no `go` on PATH), so the leaking demo service cannot be built.');
  log('');
  log('Install Go 1.26 and run `npm run demo` again, or point heapwatch at a Go service you already have:');
  log('  1. Serve net/http/pprof in it, on loopback:');
  log('       import _ "net/http/pprof"');
  log('       go func() { log.Println(http.ListenAndServe("127.0.0.1:6060", nil)) }()');
  log('  2. List it under `targets:` in a config (config/heapwatch.yaml already has');
  log('     http://127.0.0.1:6060/debug/pprof/heap), check it and start the daemon:');
  log('       node dist/src/cli/main.js check-config config/heapwatch.yaml');
  log('       npm start');
  log('  3. Findings: http://127.0.0.1:9464/api/v1/findings?state=open (the default detector needs');
  log('     about 30 minutes of history at a 1-minute scrape interval before it judges a trend).');
  log('  Or run the detectors over profiles you already have: node dist/src/cli/main.js analyze DIR');
  process.exitCode = 1;
}

/** A free loopback port: `preferred` if it is free, else one the OS picks. */
function freePort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(undefined));
      s.listen(port, '127.0.0.1', () => {
        const { port: got } = s.address();
        s.close(() => resolve(got));
      });
    });
  return tryListen(preferred).then((p) => p ?? tryListen(0));
}

/** Spawns a child with its output in `logFile`; `waitFor` (a RegExp) waits for a stdout line and yields its group 1. */
function start(cmd, args, logFile, { cwd = ROOT, waitFor } = {}) {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', waitFor ? 'pipe' : out, out] });
  if (!waitFor) return { child, ready: Promise.resolve(undefined) };
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} printed no address within ${LISTEN_TIMEOUT_MS} ms (log: ${logFile})`)), LISTEN_TIMEOUT_MS);
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      writeFileSync(logFile, `${line}\n`, { flag: 'a' });
      const m = waitFor.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${signal ?? code}) before it was ready (log: ${logFile})`));
    });
  });
  return { child, ready };
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves when the child has exited. */
function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function main() {
  const goVersion = hasGo();
  if (!goVersion) return noGo();

  const dir = mkdtempSync(join(tmpdir(), 'heapwatch-demo-'));
  const children = [];
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    log('\nstopping the demo service and heapwatch ...');
    // The daemon first (its last scrape must not race the service's exit), then the service.
    for (const c of [...children].reverse()) await stop(c);
    rmSync(dir, { recursive: true, force: true });
    log('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  try {
    if (!existsSync(CLI)) {
      log('dist/ is missing: building heapwatch (npm run build) ...');
      const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 5 * 60_000 });
      if (r.status !== 0) throw new Error('npm run build failed');
    }

    log(`building the leaking demo service with ${goVersion} ...`);
    const binary = join(dir, 'scenarios');
    execFileSync('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: SCENARIOS, stdio: ['ignore', 'inherit', 'inherit'], timeout: 5 * 60_000 });

    const demoLog = join(dir, 'demo.log');
    const demo = start(binary, ['-addr', '127.0.0.1:0', '-mode', 'leak', '-step', STEP, '-background', '32'], demoLog, {
      waitFor: /^listening on (http:\/\/\S+)/,
    });
    children.push(demo.child);
    const demoUrl = await demo.ready;

    const apiPort = await freePort(9464);
    const api = `http://127.0.0.1:${apiPort}`;
    const configPath = join(dir, 'heapwatch.yaml');
    // Scaled for the demo only; the defaults (config/heapwatch.yaml) are for
    // real services at a 1-minute scrape interval.
    writeFileSync(
      configPath,
      [
        '# written by scripts/demo.mjs',
        'global:',
        `  scrape_interval: ${SCRAPE_INTERVAL}`,
        '  scrape_timeout: 1500ms',
        'storage:',
        `  path: ${JSON.stringify(join(dir, 'heapwatch.db'))}`,
        'api:',
        `  listen: 127.0.0.1:${apiPort}`,
        'detect:',
        '  window: 5m',
        '  min_window: 40s',
        '  min_points: 15',
        '  for: 10s',
        '  resolve_after: 2m',
        '  min_growth_bytes: 2MiB',
        // The demo's process is seconds old: no warm-up hold, or the first
        // finding would wait an hour as an info "filling" finding.
        '  warmup: 0s',
        'targets:',
        `  - url: ${demoUrl}/debug/pprof/heap`,
        '    params:',
        '      gc: 1',
        '    labels:',
        '      service: demo',
        '',
      ].join('\n'),
    );
    const check = spawnSync(process.execPath, [CLI, 'check-config', configPath], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`the generated config is invalid:\n${check.stderr}`);

    const hwLog = join(dir, 'heapwatch.log');
    const hw = start(process.execPath, [CLI, 'run', '--config', configPath], hwLog);
    children.push(hw.child);
    let daemonExited = false;
    // Ctrl-C reaches the children too (same process group): give our own
    // SIGINT handler a moment to claim the shutdown before calling it a crash.
    const unexpected = (what) => setTimeout(() => {
      if (stopping) return;
      log(`\n${what}`);
      void shutdown(1);
    }, 500);
    hw.child.once('exit', (code, signal) => {
      daemonExited = true;
      unexpected(`heapwatch exited (${signal ?? code}); its log (${hwLog}):\n${tail(hwLog)}`);
    });
    demo.child.once('exit', (code, signal) => unexpected(`the demo service exited (${signal ?? code}); its log: ${demoLog}`));

    // Wait (bounded) for the API before printing where to look.
    const apiDeadline = Date.now() + LISTEN_TIMEOUT_MS;
    for (;;) {
      if (daemonExited) return;
      try {
        await getJson(`${api}/healthz`);
        break;
      } catch (err) {
        if (Date.now() > apiDeadline) throw new Error(`heapwatch did not answer on ${api} within ${LISTEN_TIMEOUT_MS} ms (${String(err)}); log:\n${tail(hwLog)}`);
        await sleep(250);
      }
    }

    log('');
    log(`demo service (leaking ~0.85 MB every ${STEP}): ${demoUrl}/debug/pprof/   pid ${demo.child.pid}`);
    log(`heapwatch (scraping every ${SCRAPE_INTERVAL}):                  ${api}   pid ${hw.child.pid}`);
    log('');
    log('Where to look:');
    log(`  open findings  ${api}/api/v1/findings?state=open`);
    log(`  targets        ${api}/api/v1/targets`);
    log(`  metrics        ${api}/metrics`);
    log(`  config, logs   ${dir}`);
    log('  offline        `node dist/src/cli/main.js analyze DIR` runs the same detectors over heap profiles');
    log('                 you saved (20+ profiles over 30+ minutes), e.g. the recorded leak:');
    log('                 node dist/src/cli/main.js analyze test/fixtures/corpus/leak-unclassified');
    log('');
    log('waiting for the first finding (usually within a minute or two) ...');

    const started = Date.now();
    const deadline = started + FINDING_TIMEOUT_MS;
    let found;
    while (!found && Date.now() < deadline && !stopping) {
      await sleep(POLL_MS);
      try {
        const { findings } = await getJson(`${api}/api/v1/findings?state=open`);
        found = findings[0];
      } catch {
        // the next poll retries; the deadline bounds the loop
      }
    }
    if (stopping) return;
    if (found) {
      const secs = Math.round((Date.now() - started) / 1000);
      log(`\nfinding after ${secs} s: [${found.severity}] ${found.summary}`);
      log(`  class:    ${found.class}`);
      log(`  function: ${found.function}`);
      log(`  stack:    ${found.stack.join(' <- ')}`);
      log(`  what to do: ${found.remediation}`);
      log(`  details:  ${api}/api/v1/findings?state=open`);
    } else {
      log(`\nno finding after ${FINDING_TIMEOUT_MS / 60_000} minutes: check ${api}/api/v1/targets and the log in ${hwLog}`);
    }
    log('\nboth keep running; Ctrl-C stops them.');
  } catch (err) {
    log(`heapwatch demo: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

await main();
