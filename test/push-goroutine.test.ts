/**
 * Pushed goroutine profiles (a Connect PushRequest with `__name__`
 * goroutine, as Alloy's pyroscope.scrape sends `profile.goroutine`) go the
 * scraped ones' way: stored as goroutine counts against the pushed target,
 * exported as heapwatch_target_goroutines, never as a heap scrape.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { FIXTURES } from './helpers/paths.js';
import { encodePushRequest } from './helpers/push-request.js';

const TOKEN = 'push-token-0123456789';
const GOROUTINES = readFileSync(join(FIXTURES, 'goroutine-corpus', 'leak-chan-send', 'profiles', '0089.pb.gz'));
const LEAKED = readFileSync(join(FIXTURES, 'goroutine-corpus', 'leakprof-chan-send', 'profiles', '0005.pb.gz'));

describe('push receivers: goroutine profiles', () => {
  let hw: TestDaemon;

  before(async () => {
    hw = await startTestDaemon({ push: { enabled: true, auth_token: TOKEN, interval: '1s' } }, { logLevel: 'silent' });
  });

  after(async () => {
    await hw?.daemon.stop();
  });

  it('stores a pushed goroutine and goroutineleak profile as goroutine counts of the pushed target, and exports them', async () => {
    const labels = (name: string): [string, string][] => [['__name__', name], ['service_name', 'lookup'], ['instance', 'h:1']];
    const body = encodePushRequest([
      { labels: labels('goroutine'), samples: [{ id: 'g', raw: GOROUTINES }] },
      { labels: labels('goroutineleak'), samples: [{ id: 'l', raw: LEAKED }] },
    ]);
    const res = await fetch(`${hw.daemon.address}/push.v1.PusherService/Push`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', 'connect-protocol-version': '1', authorization: `Bearer ${TOKEN}` },
      body,
    });
    assert.equal(res.status, 200, await res.text());
    const rows = hw.daemon.db.prepare(`SELECT kind, outcome, goroutines FROM goroutine_scrapes ORDER BY kind`).all();
    assert.deepEqual(rows, [
      { kind: 'goroutine', outcome: 'ok', goroutines: 389 },
      { kind: 'goroutineleak', outcome: 'ok', goroutines: 211 },
    ]);
    assert.equal(hw.daemon.db.prepare(`SELECT COUNT(*) FROM scrapes`).pluck().get(), 0, 'no heap scrape recorded');
    const text = await hw.daemon.metrics.exposition();
    assert.match(text, /heapwatch_target_goroutines\{target="push:\{instance=\\"h:1\\",service_name=\\"lookup\\"\}",service="lookup",kind="goroutine"\} 389/);
    assert.match(text, /heapwatch_target_goroutines\{target="push:\{instance=\\"h:1\\",service_name=\\"lookup\\"\}",service="lookup",kind="goroutineleak"\} 211/);
  });
});
