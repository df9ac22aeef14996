/** The HTTP scraper against a loopback server: what it sends, and what it accepts. */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { staticTargets } from '../targets/build.js';
import { HttpScraper, scrapeSignal } from './scraper.js';

describe('HttpScraper', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  });
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'hw-scraper-'));

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends params, headers, bearer tokens (re-read from the file each scrape) and basic auth', async () => {
    writeFileSync(join(dir, 'token'), 'token-one\n');
    writeFileSync(join(dir, 'password'), 'pw-file\n');
    const config = parseConfig(
      `targets:
  - url: ${base}/a
    params: { gc: 1, tenant: 'a' }
    headers: { X-Tenant: blue }
    bearer_token_file: ${join(dir, 'token')}
  - url: ${base}/b
    basic_auth: { username: admin, password_file: ${join(dir, 'password')} }
  - url: ${base}/c
    bearer_token: inline-token-123
`,
      'x.yml',
    );
    const [a, b, c] = staticTargets(config);
    const scraper = new HttpScraper({ maxBodyBytes: 1024 });
    try {
      const got = await scraper.fetch(a!);
      assert.deepEqual([...got.body], [0x1f, 0x8b, 1, 2, 3]);
      writeFileSync(join(dir, 'token'), 'token-two\n');
      await scraper.fetch(a!);
      await scraper.fetch(b!);
      await scraper.fetch(c!);
    } finally {
      await scraper.close();
    }
    assert.equal(seen[0]!.url, '/a?gc=1&tenant=a');
    assert.equal(seen[0]!.headers['x-tenant'], 'blue');
    assert.equal(seen[0]!.headers.authorization, 'Bearer token-one');
    assert.equal(seen[1]!.headers.authorization, 'Bearer token-two', 'a rotated token file is picked up');
    assert.equal(seen[2]!.headers.authorization, `Basic ${Buffer.from('admin:pw-file').toString('base64')}`);
    assert.equal(seen[3]!.headers.authorization, 'Bearer inline-token-123');
    assert.equal(seen[0]!.headers['user-agent'], 'heapwatch');
  });

  it('leaves nothing on the loop\'s long-lived signal after many scrapes (no AbortSignal.any accumulation)', async () => {
    const [a] = staticTargets(parseConfig(`targets:\n  - url: ${base}/many\n`, 'x.yml'));
    const scraper = new HttpScraper({ maxBodyBytes: 1024 });
    const loop = new AbortController();
    try {
      for (let i = 0; i < 50; i++) await scraper.fetch(a!, loop.signal);
    } finally {
      await scraper.close();
    }
    assert.equal(getEventListeners(loop.signal, 'abort').length, 0);
    // Where AbortSignal.any() leaked on Node 20 (nodejs/node#55351): composite signals kept in the source.
    const dependants = Object.getOwnPropertySymbols(loop.signal).find((sym) => sym.description === 'kDependantSignals');
    const kept = dependants ? (loop.signal as unknown as Record<symbol, Set<unknown> | undefined>)[dependants]?.size : 0;
    assert.equal(kept ?? 0, 0, 'scrapes left composite signals on the loop signal');
  });
});

describe('scrapeSignal', () => {
  it('aborts with a TimeoutError at the deadline and reports it', async () => {
    const s = scrapeSignal(20);
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(s.signal.aborted);
    assert.ok(s.timedOut());
    assert.equal((s.signal.reason as DOMException).name, 'TimeoutError');
    s.dispose();
  });

  it('follows the stop signal (already aborted or aborted later), which is not a timeout', () => {
    const stop = new AbortController();
    const s = scrapeSignal(60_000, stop.signal);
    assert.equal(getEventListeners(stop.signal, 'abort').length, 1);
    stop.abort(new Error('loop stopped'));
    assert.ok(s.signal.aborted);
    assert.equal((s.signal.reason as Error).message, 'loop stopped');
    assert.ok(!s.timedOut());
    s.dispose();
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
    const late = scrapeSignal(60_000, stop.signal);
    assert.ok(late.signal.aborted, 'a stop that already happened aborts at once');
    late.dispose();
  });

  it('does not fire after dispose', async () => {
    const s = scrapeSignal(20);
    s.dispose();
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(!s.signal.aborted);
  });
});
