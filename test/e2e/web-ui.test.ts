/**
 * The web UI in real headless Chromium (Debian's chromium, driven by
 * playwright-core), against the real daemon on loopback and history put
 * in with `heapwatch import`:
 *
 * 1. a real Kitex leak series (the server keeps Request field 2): list ->
 *    finding page; class, key function, growth chart, diff flame graph with
 *    the key frame highlighted, and every download read by `go tool pprof`;
 * 2. a leak whose function names are attacks (markup, an attribute
 *    break-out, a javascript: URL), on a daemon with an API token: the token
 *    is asked once, every name shows as text, no script runs and no request
 *    leaves 127.0.0.1.
 *
 * Screenshots go to HEAPWATCH_SCREENSHOT_DIR (docs/ for the README's), else a temporary folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../../src/main.js';
import { requireGo } from '../helpers/binaries.js';
import { guardRequests, launchChromium, paintedPixels } from '../helpers/browser.js';
import { HOSTILE_NAMES, writeHostileSeries } from '../helpers/hostile-names.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { findingLookupUrl } from '../../src/web/links.js';

const KEY_FRAME_FILL = '#e600e6'; // web/src/flame.ts KEY_FRAME_COLOR
const SHOTS = process.env.HEAPWATCH_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'hw-shots-'));

function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'heapwatch.yaml');
  writeFileSync(path, stringify({ ...extra, storage: { path: join(dir, 'heapwatch.db') }, api: { listen: '127.0.0.1:0', ...(extra.api as object | undefined) } }));
  return path;
}

function importWithCli(config: string, target: string, path: string, labels: string[] = []): string {
  return execFileSync(process.execPath, [CLI, 'import', '--config', config, '--target', target, ...labels.flatMap((l) => ['--label', l]), path], { encoding: 'utf8' });
}

/** Name, fill and title of every flame graph frame. */
async function flameFrames(page: Page): Promise<{ name: string; fill: string }[]> {
  type El = { querySelector(s: string): { textContent: string | null; getAttribute(a: string): string | null } | null };
  return page.$$eval('#flame svg g', (gs) =>
    (gs as unknown as El[]).map((g) => ({
      name: (g.querySelector('title')?.textContent ?? '').split('\n')[0] ?? '',
      fill: g.querySelector('rect')?.getAttribute('fill') ?? '',
    })),
  );
}

async function waitForDrawn(page: Page, what: string[]): Promise<void> {
  await page.waitForSelector(`html${what.map((w) => `[data-${w}="drawn"]`).join('')}`, { timeout: 20_000 });
}

describe('web UI in headless Chromium', () => {
  let browser: Browser;
  const daemons: Daemon[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const d of daemons) await d.stop();
  });

  it('shows an imported Kitex leak: class, key function, growth chart, diff flame graph, downloads go tool pprof reads', async () => {
    const go = requireGo();
    const dir = mkdtempSync(join(tmpdir(), 'hw-ui-'));
    const config = writeConfig(dir);
    const out = importWithCli(config, 'payments', join(FIXTURES, 'corpus', 'leak-server-request-field', 'profiles'), ['env=test']);
    assert.match(out, /75 file\(s\): 75 stored, 0 skipped/);
    assert.match(out, /findings opened: [1-9]/);
    const daemon = await startDaemon(config, { logLevel: 'silent' });
    daemons.push(daemon);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const requests = await guardRequests(page);
    await page.goto(`${daemon.address}/`);
    await page.getByRole('link', { name: 'server keeps Request field 2 (Kitex)' }).click();
    await page.waitForURL(/\/findings\/\d+$/);
    await waitForDrawn(page, ['chart', 'flame']);

    assert.equal(await page.textContent('#class'), 'server-request-field-held');
    const keyFunction = (await page.textContent('#key-function')) ?? '';
    assert.match(keyFunction, /kitex_gen\/echo\.\(\*Request\)\.FastReadField2$/);
    assert.match((await page.getAttribute('#guide-link', 'href')) ?? '', /^https:\/\//);
    assert.ok((await paintedPixels(page, '#growth-chart canvas')) > 5000, 'the growth chart drew');
    const frames = await flameFrames(page);
    const key = frames.filter((f) => f.name === keyFunction);
    assert.ok(key.length > 0, 'the flame graph has the key frame');
    assert.ok(key.every((f) => f.fill === KEY_FRAME_FILL), `the key frame is highlighted: ${key.map((f) => f.fill).join()}`);
    assert.ok(frames.length > 20, `a real flame graph: ${frames.length} frames`);
    await page.screenshot({ path: join(SHOTS, 'finding-page.png'), fullPage: true });

    // Each download, saved under its offered name, is a profile go tool pprof reads.
    const saved = mkdtempSync(join(tmpdir(), 'hw-dl-'));
    for (const kind of ['base', 'latest', 'diff']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-kind="${kind}"]`)]);
      const file = join(saved, download.suggestedFilename());
      assert.match(download.suggestedFilename(), new RegExp(`^heapwatch-finding-\\d+-${kind}\\.pb\\.gz$`));
      await download.saveAs(file);
      const top = execFileSync(go, ['tool', 'pprof', '-top', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(top, /Type: inuse_space/);
      if (kind !== 'base') assert.match(top, /BinaryProtocol\.ReadString/);
    }
    // The command shown on the page, run as shown, next to the downloads.
    const command = ((await page.textContent('#pprof-command')) ?? '').split(' ');
    assert.deepEqual(command.slice(0, 4), ['go', 'tool', 'pprof', '-top']);
    const diffTop = execFileSync(go, command.slice(1), { cwd: saved, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(diffTop, /BinaryProtocol\.ReadString/);

    // An alert's finding_url (labels, not the id) lands on the same finding.
    const findingPath = new URL(page.url()).pathname;
    await page.goto(findingLookupUrl(daemon.address, 'import:payments', 'server-request-field-held', keyFunction));
    await page.waitForURL((u) => u.pathname === findingPath);
    await waitForDrawn(page, ['chart']);
    assert.equal(await page.textContent('#key-function'), keyFunction);

    await page.click('#target-link');
    await page.waitForURL(/\/targets\/\d+$/);
    await waitForDrawn(page, ['chart']);
    assert.ok((await paintedPixels(page, '#total-chart canvas')) > 5000, 'the heap total chart drew');
    assert.ok((await page.$$('canvas.spark')).length > 0, 'top growing functions have sparklines');
    await page.screenshot({ path: join(SHOTS, 'target-page.png'), fullPage: true });
    assert.deepEqual(requests.blocked, []);
    await page.close();
  });

  it('renders hostile function names as text: no script runs, no request leaves 127.0.0.1; asks for the token once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-ui-hostile-'));
    const token = 'ui-test-token-0123456789';
    const config = writeConfig(dir, { api: { auth_token: token }, detect: { warmup: '0s' } });
    writeHostileSeries(join(dir, 'profiles'));
    assert.match(importWithCli(config, 'evil', join(dir, 'profiles')), /findings opened: [1-9]/);
    const daemon = await startDaemon(config, { logLevel: 'silent' });
    daemons.push(daemon);
    assert.equal((await fetch(`${daemon.address}/api/v1/findings`)).status, 401, 'the API still needs the token');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests = await guardRequests(page);
    await page.goto(`${daemon.address}/`);
    await page.fill('#token', token);
    await page.click('.token-form button');
    const link = page.locator('a.finding-link').first();
    await link.waitFor();
    assert.equal(await link.textContent(), `${HOSTILE_NAMES[0]} keeps allocating memory that stays in use`);
    await link.click();
    await waitForDrawn(page, ['chart', 'flame']);
    assert.equal(await page.textContent('#key-function'), HOSTILE_NAMES[0]);
    assert.deepEqual(await page.locator('#stack li').allTextContents(), [...HOSTILE_NAMES, 'main.main']);
    const names = (await flameFrames(page)).map((f) => f.name);
    for (const n of HOSTILE_NAMES) assert.ok(names.includes(n), `flame frame shown as text: ${n}`);
    await page.click('#target-link');
    await waitForDrawn(page, ['chart']);
    // The token was kept for the session: a new page load does not ask again.
    await page.goto(`${daemon.address}/`);
    await page.locator('a.finding-link').first().waitFor();
    assert.equal(await page.$('#token'), null);

    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no injected script ran');
    assert.deepEqual(dialogs, []);
    assert.equal((await page.$$('img')).length, 0, 'no markup from a name became an element');
    assert.deepEqual(requests.blocked, [], 'no request left 127.0.0.1');
    assert.ok(requests.urls.every((u) => u.startsWith(daemon.address) || u.startsWith('blob:') || u.startsWith('data:')));
    const csp = (await fetch(`${daemon.address}/findings/1`)).headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await page.close();
  });
});
