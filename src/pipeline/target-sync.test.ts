/**
 * Target sync and the retention job with fakes of what they drive: the
 * scrape source gets the owned targets, findings of the others are resolved,
 * a reload replaces the target list; retention runs one at a time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/db.js';
import type { Target } from '../targets/target.js';
import { RetentionJob } from './retention.js';
import { TargetSync } from './target-sync.js';

const config = (urls: string[]) => parseConfig(JSON.stringify({ targets: urls.map((url, i) => ({ url, labels: { service: `s${i}` } })) }), 'test.yml');

function harness(urls: string[]) {
  const synced: string[][] = [];
  const resolvedExcept: number[][] = [];
  const ids = new Map<string, number>();
  const gauge: number[] = [];
  const sync = new TargetSync({
    config: config(urls),
    source: {
      sync: async (targets: readonly Target[]) => {
        synced.push(targets.map((t) => t.url));
        for (const t of targets) if (!ids.has(t.key)) ids.set(t.key, ids.size + 1);
      },
    },
    findings: { resolveOpenExcept: (owned: number[]) => (resolvedExcept.push([...owned]), 0) },
    reader: { targetByKey: (key: string) => (ids.has(key) ? ({ id: ids.get(key)! } as never) : undefined) },
    metrics: { targets: { set: (n: number) => void gauge.push(n) }, sdErrors: { inc: () => undefined } },
    log: createLogger('silent'),
  });
  return { sync, synced, resolvedExcept, gauge };
}

describe('TargetSync', () => {
  it('hands the owned targets to the source and resolves findings of every other target', async () => {
    const h = harness(['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b']);
    await h.sync.start();
    assert.deepEqual(h.synced, [['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b']]);
    assert.deepEqual(h.resolvedExcept, [[1, 2]]);
    assert.deepEqual(h.gauge, [2]);
    // A reload that drops a target: the source gets the new list, and only the kept target's findings stay open.
    await h.sync.applyConfig(config(['http://127.0.0.1:1/b']));
    assert.deepEqual(h.synced.at(-1), ['http://127.0.0.1:1/b']);
    assert.deepEqual(h.resolvedExcept.at(-1), [2]);
    assert.equal(h.gauge.at(-1), 1);
    await h.sync.stop();
  });
});

describe('RetentionJob', () => {
  it('runs one pass at a time, and stop waits for it', async () => {
    const db = openDatabase(':memory:');
    const job = new RetentionJob(db, parseConfig('{}', 'test.yml'), createLogger('silent'));
    await job.start();
    const a = job.run();
    assert.equal(job.run(), a, 'a second call while one runs joins it');
    await job.stop();
    await a;
    assert.notEqual(job.run(), a, 'a new pass after the last one finished');
    await job.stop();
    db.close();
  });
});
