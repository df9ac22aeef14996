/**
 * A simulated fleet for soak tests and benchmarks: N targets served by one
 * loopback profile server, target n replaying fleet series n mod 18 (so
 * leaking, flat, sawtooth and restarting targets are mixed), each target
 * starting at a different point of its series so equal series are not in
 * lockstep. Writes a heapwatch config with the N targets as static targets
 * (file_sd has one path per block, and the fleet's targets differ by path).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './daemon.js';
import { FIXTURES } from './paths.js';
import { loadSeries, startProfileServer, type ProfileServer } from './profile-server.js';

export interface FleetOptions {
  targets: number;
  /** Prometheus-style duration, e.g. '1s', '5s'. */
  interval: string;
  timeout?: string;
  maxConcurrentScrapes?: number;
  logLevel?: string;
  /** Extra top-level config keys (merged over the generated ones). */
  extra?: Record<string, unknown>;
  /** Target n's recorded series (default: fleet series n mod 18, fleetSeries). */
  seriesOf?: (n: number) => { name: string; profiles: Buffer[] };
}

export interface Fleet {
  server: ProfileServer;
  targets: number;
  /** Corpus series name of target n. */
  seriesName(n: number): string;
  dir: string;
  configPath: string;
  dbPath: string;
  /** Base URL of the daemon's API (its port is reserved, not yet listening). */
  apiUrl: string;
  /** Stops the profile server and deletes the temporary directory. */
  close(): Promise<void>;
}

export const CORPUS = join(FIXTURES, 'corpus');

/**
 * The series a fleet replays: the corpus's first 18, real Kitex and netpoll
 * services of a few dozen stacks that leak, stay flat, saw, warm up and
 * restart. Named, not "the first N in name order": the corpus grows every
 * round, and when held-out round 66's 1 GiB, 2,000-path series sorted into
 * the first 50 the soak's daemon was still taking in their stacks at its
 * end, read as growth. Production-size profiles are scale-series.ts's.
 */
const FLEET_SERIES = [
  'info-netpoll-v024-quiet', 'leak-client-response-field', 'leak-duplicate-clients', 'leak-idle-connections', 'leak-netpoll-barrier',
  'leak-oversized-requests', 'leak-server-request-field', 'leak-sonic-string', 'leak-unclassified-slow', 'leak-unclassified',
  'trap-busy-netpoll-v025', 'trap-kitex-warmup', 'trap-netpoll-churn', 'trap-poolchurn', 'trap-restart', 'trap-sawtooth', 'trap-step', 'trap-warmup',
];

let fleetCache: { name: string; profiles: Buffer[] }[] | undefined;

/** The fleet's corpus series (FLEET_SERIES, loaded once). */
export function fleetSeries(): { name: string; profiles: Buffer[] }[] {
  fleetCache ??= FLEET_SERIES.map((name) => {
    const profiles = loadSeries(join(CORPUS, name, 'profiles'));
    if (profiles.length === 0) throw new Error(`fleet series ${name} has no profiles in ${CORPUS}`);
    return { name, profiles };
  });
  return fleetCache;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  if (!Number.isInteger(opts.targets) || opts.targets < 1 || opts.targets > 10_000) throw new Error('targets must be in 1..10000');
  const corpus = fleetSeries();
  const seriesOf = opts.seriesOf ?? ((n: number) => corpus[n % corpus.length]!);
  const rotated = new Map<number, Buffer[]>();
  const seriesFor = (n: number): readonly Buffer[] => {
    if (n >= opts.targets) return [];
    let s = rotated.get(n);
    if (!s) {
      const all = seriesOf(n).profiles;
      const start = (Math.floor(n / corpus.length) * 7) % all.length;
      s = [...all.slice(start), ...all.slice(0, start)];
      rotated.set(n, s);
    }
    return s;
  };
  const server = await startProfileServer(seriesFor);
  const dir = mkdtempSync(join(tmpdir(), 'hw-fleet-'));
  const dbPath = join(dir, 'heapwatch.db');
  const configPath = join(dir, 'heapwatch.yaml');
  const port = await freePort();
  const targets = Array.from({ length: opts.targets }, (_, n) => ({
    url: server.targetUrl(n),
    labels: { service: seriesOf(n).name, instance: `t${n}` },
  }));
  const config = {
    global: {
      scrape_interval: opts.interval,
      scrape_timeout: opts.timeout ?? opts.interval,
      max_concurrent_scrapes: opts.maxConcurrentScrapes ?? 16,
    },
    storage: { path: dbPath },
    api: { listen: `127.0.0.1:${port}` },
    log: { level: opts.logLevel ?? 'warn' },
    targets,
    ...opts.extra,
  };
  writeFileSync(configPath, stringify(config));
  return {
    server,
    targets: opts.targets,
    seriesName: (n) => seriesOf(n).name,
    dir,
    configPath,
    dbPath,
    apiUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
