/**
 * A simulated fleet for soak tests and benchmarks: N targets served by one
 * loopback profile server, target n replaying corpus series n mod 18 (so
 * leaking, flat, sawtooth and restarting targets are mixed), each target
 * starting at a different point of its series so equal series are not in
 * lockstep. Writes a heapwatch config with the N targets as static targets
 * (file_sd has one path per block, and the fleet's targets differ by path).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Target n's recorded series (default: corpus series n mod 18). */
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

let corpusCache: { name: string; profiles: Buffer[] }[] | undefined;

/** All corpus series, in name order (loaded once, ~14 MB). */
export function corpusSeries(): { name: string; profiles: Buffer[] }[] {
  corpusCache ??= readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, profiles: loadSeries(join(CORPUS, name, 'profiles')) }))
    .filter((s) => s.profiles.length > 0);
  return corpusCache;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  if (!Number.isInteger(opts.targets) || opts.targets < 1 || opts.targets > 10_000) throw new Error('targets must be in 1..10000');
  const corpus = corpusSeries();
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
