/**
 * Target lifecycle: a target that leaves discovery is forgotten in one place
 * (Pipeline.forget, src/pipeline/pipeline.ts). 10,000 targets churn in and out through file_sd,
 * twice; afterwards the JS heap is back within 10% of its baseline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { startHostileServer, type HostileServer } from './helpers/hostile-server.js';
import { startTestDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The heap once the last round's keep-alive connections (up to 64, with
 * their buffers) are gone: the hostile server closes idle ones after Node's
 * 5 s keep-alive timeout. Read within 1.2 s, as before, the baseline moved
 * between 26.2 and 28.4 MiB from run to run, with timing, not with targets,
 * and the 10 % bound below failed one run in three (x1.11-1.12). Read 5-7 s
 * after (the least of four readings), six runs gave 26.0-26.2 MiB and
 * x1.011-1.023.
 */
async function settledHeap(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 14; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 500));
    if (i >= 10) least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

describe('target lifecycle', () => {
  let hostile: HostileServer;
  let hw: TestDaemon;
  const dir = mkdtempSync(join(tmpdir(), 'hw-churn-'));
  const sdFile = join(dir, 'targets.json');

  /** Atomically replaces the file_sd file (as a ConfigMap update does). */
  const publish = (n: number, round: number): void => {
    // Full URLs: every target is distinct. A mix of working and failing ones, so scrapes, errors and exports all happen.
    const targets = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `${hostile.url}/good?round=${round}&i=${i}` : `${hostile.url}/status-500?round=${round}&i=${i}`));
    writeFileSync(`${sdFile}.tmp`, JSON.stringify([{ targets, labels: { service: `churn-${round}` } }]));
    renameSync(`${sdFile}.tmp`, sdFile);
  };

  before(async () => {
    hostile = await startHostileServer();
    writeFileSync(sdFile, '[]');
    hw = await startTestDaemon({
      // A 10 s interval: many of the targets are scraped while they exist.
      global: { scrape_interval: '10s', scrape_timeout: '2s', max_concurrent_scrapes: 64 },
      file_sd: [{ files: [sdFile], refresh_interval: '1s' }],
    });
  });

  after(async () => {
    await hw?.daemon.stop();
    await hostile?.close();
  });

  const churn = async (n: number, round: number): Promise<number> => {
    publish(n, round);
    await waitFor(`${n} targets`, () => hw.daemon.manager.status().length === n, 120_000);
    await waitFor('some of them scraped', () => hw.daemon.manager.status().filter((s) => s.scrapes > 0).length >= Math.min(n, 200), 60_000);
    const scraped = hw.daemon.manager.status().filter((s) => s.scrapes > 0).length;
    publish(0, round);
    await waitFor('no targets', () => hw.daemon.manager.status().length === 0, 120_000);
    // Profiles still queued for detection are in flight, not kept: let them through.
    await hw.daemon.detector.idle();
    return scraped;
  };

  it('returns the JS heap to within 10% of its baseline after 10,000 targets come and go, twice', async () => {
    // Warm-up at full size: the first churn loads code paths and prepared statements, and
    // grows pools and hash tables to 10,000 targets, all of which stay for good (a 500-target
    // warm-up left x1.05-1.10 of such one-time growth, so the bound failed under load). A
    // per-target residue still shows: 20,000 more targets at 130 bytes each would pass 10%.
    await churn(10_000, 0);
    const baseline = await settledHeap();
    const scraped: number[] = [];
    for (const round of [1, 2]) scraped.push(await churn(10_000, round));
    const end = await settledHeap();
    const ratio = end / baseline;
    process.stdout.write(`# heap baseline ${(baseline / 1048576).toFixed(1)} MiB, after churning 2 x 10,000 targets ${(end / 1048576).toFixed(1)} MiB (x${ratio.toFixed(3)}); scraped per round: ${scraped.join(', ')}\n`);
    assert.ok(ratio <= 1.1, `heap ${(baseline / 1048576).toFixed(1)} -> ${(end / 1048576).toFixed(1)} MiB`);
    // Nothing of the churned targets is left in the exposition.
    assert.doesNotMatch(await hw.daemon.metrics.exposition(), /churn-[12]/);
  });
});
