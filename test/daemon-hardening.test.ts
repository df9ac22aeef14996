/**
 * The daemon's own reporting under trouble: errors log through pino's err
 * serializer (code and message, no empty "Object"), a broken file_sd file of
 * binary junk is reported once and then quietly until it changes, node-cron's
 * warnings come out as JSON log lines, the API calls a stale scrape stale,
 * and a scrape cut off by shutdown is not stored as a failure of the target.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { cronLogger, createLogger } from '../src/log.js';
import { openDatabase } from '../src/store/db.js';
import { startHostileServer, type HostileServer } from './helpers/hostile-server.js';
import { startTestDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';

function lineSink(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, raw: () => text, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('daemon reporting under trouble', () => {
  let hostile: HostileServer;
  let hw: TestDaemon;
  const log = lineSink();
  let sdFile = '';

  before(async () => {
    hostile = await startHostileServer();
    // Written before the daemon exists: the test daemon's temporary folder comes later, so use the hostile server's port as a name.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const sdDir = mkdtempSync(join(tmpdir(), 'hw-sd-junk-'));
    sdFile = join(sdDir, 'targets.json');
    writeFileSync(sdFile, Buffer.from([0x7b, 0x00, 0x01, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x0a, 0x07]));
    hw = await startTestDaemon(
      {
        log: { level: 'debug' },
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        targets: [
          { url: `${hostile.url}/good`, labels: { service: 'good' } },
          { url: `${hostile.url}/status-500`, labels: { service: 'failing' } },
          { url: `${hostile.url}/hang`, labels: { service: 'hang' } },
        ],
        file_sd: [{ files: [sdFile], refresh_interval: '1s' }],
      },
      { logLevel: 'debug', logDestination: log.stream },
    );
    await waitFor('the good target scraped 3 times', () => (hw.daemon.manager.status().find((s) => s.target.labels.service === 'good')?.scrapes ?? 0) >= 3, 20_000);
  });

  after(async () => {
    await hw?.daemon.stop();
    await hostile?.close();
  });

  it('logs scrape errors with their code and message through the err serializer', () => {
    const failed = log.lines().filter((l) => l.msg === 'scrape failed');
    assert.ok(failed.length >= 1);
    for (const l of failed) {
      const err = l.err as { type?: string; code?: string; message?: string };
      assert.notEqual(err.type, 'Object');
      assert.match(err.code ?? '', /^HW_ERR_/);
      assert.ok((err.message ?? '').length > 10, JSON.stringify(l));
    }
    assert.doesNotMatch(log.raw(), /"type":"Object"/);
  });

  it('reports a broken file_sd file once at warn, then at debug, with its junk escaped', () => {
    const sd = log.lines().filter((l) => l.msg === 'service discovery source rejected; keeping its previous targets');
    assert.ok(sd.length >= 2, `${sd.length} discovery reports`);
    assert.equal(sd.filter((l) => l.level === 40).length, 1, 'one warning');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(log.raw(), /[\x00-\x08\x0b-\x1f\x7f]/, 'no raw control bytes in the log');
    writeFileSync(sdFile, 'not: [json');
    return waitFor('a changed error to be news again', () => log.lines().filter((l) => l.msg?.toString().startsWith('service discovery') && l.level === 40).length === 2, 10_000);
  });

  it('reports a stale scrape as stale in the API', async () => {
    // /good serves the same bytes every time: from the second scrape on there was no GC in between.
    const res = await hw.daemon.app.inject({ url: '/api/v1/targets' });
    const good = res.json<{ targets: { labels: { service: string }; last_scrape: { outcome: string } }[] }>().targets.find((t) => t.labels.service === 'good')!;
    assert.equal(good.last_scrape.outcome, 'stale');
  });

  it('sends node-cron messages through pino as JSON', () => {
    const sink = lineSink();
    const adapter = cronLogger(createLogger('debug', sink.stream));
    adapter.warn('missed execution at 12:00:00! Possible blocking IO');
    adapter.error('Task failed with error!', new Error('boom'));
    const [warn, error] = sink.lines();
    assert.equal(warn!.level, 40);
    assert.equal(warn!.source, 'node-cron');
    assert.equal((error!.err as { message: string }).message, 'boom');
  });

  it('does not store a scrape cut off by shutdown as a failure of the target', async () => {
    await waitFor('the hung target to have a scrape in flight', () => (hw.daemon.manager.status().find((s) => s.target.labels.service === 'hang')?.failures ?? 0) >= 1, 10_000);
    await hw.daemon.stop();
    const db = openDatabase(hw.dbPath);
    const rows = db.prepare(`SELECT s.error_code AS code, s.error_message AS message FROM scrapes s JOIN targets t ON t.id = s.target_id WHERE t.url LIKE '%/hang'`).all() as { code: string; message: string }[];
    db.close();
    assert.ok(rows.length >= 1);
    for (const r of rows) assert.equal(r.code, 'HW_ERR_SCRAPE_TIMEOUT', r.message);
  });
});
