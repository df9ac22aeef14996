/**
 * SIGHUP reloads and security, on the daemon as users run it (a process):
 * - a bad config on reload keeps the running config and logs why;
 * - a good one applies (targets change) without losing state;
 * - the API token is enforced, /metrics and /healthz stay open by config;
 * - planted credentials never appear in logs, API responses or errors;
 * - the database file is created 0600; the API binds to 127.0.0.1 by default;
 * - no API route makes heapwatch fetch a URL it was given.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { freePort, waitFor } from '../helpers/daemon.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { CLI } from '../helpers/paths.js';
import { startManaged, waitForHttp, type Managed } from '../helpers/processes.js';

const TOKEN = 'api-token-0123456789abcdef';
const SECRET = 'planted-secret-7f3a9c1e5b';
const HEADER_SECRET = 'header-secret-9d8e7f6a5b';
const FILE_SECRET = 'file-secret-1a2b3c4d5e';
const URL_PASSWORD = 'userinfo-secret-6c5d4e3f2a';
const PARAM_SECRET = 'param-secret-3e2d1c0b9a';

describe('reload and security', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-sec-'));
  const configPath = join(dir, 'heapwatch.yaml');
  const dbPath = join(dir, 'data', 'heapwatch.db');
  let hostile: HostileServer;
  let hw: Managed;
  let base = '';
  let config: Record<string, unknown>;

  before(async () => {
    hostile = await startHostileServer();
    writeFileSync(join(dir, 'password'), `${FILE_SECRET}\n`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = {
      global: { scrape_interval: '1s', scrape_timeout: '800ms' },
      storage: { path: dbPath },
      api: { listen: `127.0.0.1:${port}`, auth_token: TOKEN, metrics_open: true, health_open: true },
      log: { level: 'debug' },
      targets: [
        // Each credential kind, against endpoints that fail (so errors are produced and logged).
        { url: `${hostile.url}/status-500`, bearer_token: SECRET, labels: { service: 'bearer' } },
        { url: `${hostile.url}/hang`, headers: { 'X-Api-Key': HEADER_SECRET }, secret_headers: ['X-Api-Key'], labels: { service: 'header' } },
        { url: `${hostile.url}/garbage`, basic_auth: { username: 'u', password_file: join(dir, 'password') }, labels: { service: 'basic' } },
        { url: `${hostile.url}/good`, labels: { service: 'good' } },
        // A password in the URL's userinfo and a secret query parameter, against a failing endpoint.
        { url: `http://scraper:${URL_PASSWORD}@${hostile.url.slice(7)}/status-500?token=${PARAM_SECRET}`, secret_params: ['token'], labels: { service: 'urlsecret' } },
      ],
    };
    writeFileSync(configPath, stringify(config));
    hw = startManaged('heapwatch', process.execPath, [CLI, 'run', '--config', configPath], join(dir, 'heapwatch.log'));
    await waitForHttp(`${base}/healthz`, 20_000, hw);
    await waitFor('failing scrapes logged', () => (hw.log().match(/scrape failed/g) ?? []).length >= 3, 20_000);
  });

  after(async () => {
    await hw?.stop();
    await hostile?.close();
  });

  const api = (path: string, token: string | null = TOKEN): Promise<Response> =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('enforces the API token, and leaves /metrics and /healthz open as configured', async () => {
    assert.equal((await api('/api/v1/targets', null)).status, 401);
    const wrong = await api('/api/v1/targets', 'wrong-token-0123456789abcdef');
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { code: 'HW_ERR_UNAUTHORIZED', message: 'missing or wrong bearer token' });
    assert.equal((await api('/api/v1/targets')).status, 200);
    assert.equal((await api('/api/v1/findings', null)).status, 401);
    assert.equal((await api('/metrics', null)).status, 200);
    assert.equal((await api('/healthz', null)).status, 200);
  });

  it('never shows a credential in logs, API responses, error messages or metrics', async () => {
    // Every target that carries a credential must have failed at least once before the outputs are
    // searched, or the search proves nothing about its error path. Read that from the API, not from
    // the log: the log names targets at start-up too, and on a loaded machine a target's first scrape
    // can come after three others' failures.
    type TargetsBody = { targets: { url: string; labels: { service: string }; last_error: { code: string } | null }[] };
    let targets: TargetsBody['targets'] = [];
    const credentialed = ['bearer', 'header', 'basic', 'urlsecret'];
    await waitFor(
      `a recorded failure of each credential-bearing target (${credentialed.join(', ')})`,
      async () => {
        targets = ((await (await api('/api/v1/targets')).json()) as TargetsBody).targets;
        return credentialed.every((service) => targets.find((t) => t.labels.service === service)?.last_error);
      },
      20_000,
    );
    const outputs = [
      hw.log(),
      // The database holds target URLs and error messages too.
      readFileSync(dbPath).toString('latin1') + (existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`).toString('latin1') : ''),
      await (await api('/api/v1/targets')).text(),
      await (await api('/api/v1/findings?state=all')).text(),
      await (await api('/metrics')).text(),
    ];
    for (const text of outputs) {
      for (const secret of [SECRET, HEADER_SECRET, FILE_SECRET, TOKEN, Buffer.from(`u:${FILE_SECRET}`).toString('base64'), URL_PASSWORD, PARAM_SECRET]) {
        assert.ok(!text.includes(secret), `a secret leaked: ${secret}`);
      }
    }
    // The errors themselves are there, readable, each with the cause of its endpoint.
    const errorOf = (service: string): string | undefined => targets.find((t) => t.labels.service === service)?.last_error?.code;
    assert.equal(errorOf('bearer'), 'HW_ERR_SCRAPE_HTTP_STATUS');
    assert.equal(errorOf('header'), 'HW_ERR_SCRAPE_TIMEOUT');
    assert.match(errorOf('basic') ?? '', /^HW_ERR_PROFILE_/);
    // The URL-credential target is shown, redacted, and its failure recorded.
    const urlTarget = targets.find((t) => t.labels.service === 'urlsecret')!;
    assert.match(urlTarget.url, /^http:\/\/127\.0\.0\.1:\d+\/status-500\?token=%3Credacted%3E$/);
    assert.equal(errorOf('urlsecret'), 'HW_ERR_SCRAPE_HTTP_STATUS');
  });

  it('creates the database file with mode 0600', () => {
    assert.equal(statSync(dbPath).mode & 0o777, 0o600);
  });

  it('binds the API to 127.0.0.1 by default', () => {
    assert.equal(parseConfig('{}', 'x.yml').api.listen, '127.0.0.1:9464');
  });

  it('has no route that takes a URL to fetch: targets come only from config and discovery', async () => {
    for (const path of ['/api/v1/targets', '/api/v1/scrape?url=http://127.0.0.1:1/', '/api/v1/targets?url=http://127.0.0.1:1/']) {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"url":"http://127.0.0.1:1/"}' });
      assert.equal(res.status, 404, `POST ${path}`);
    }
  });

  it('keeps the running config when a reload brings a bad file, and logs why', async () => {
    writeFileSync(configPath, 'global:\n  scrape_interval: often\n');
    hw.child.kill('SIGHUP');
    await waitFor('the rejected reload in the log', () => /config reload failed; keeping the running config/.test(hw.log()), 10_000);
    assert.match(hw.log(), /HW_ERR_CONFIG_INVALID.*heapwatch\.yaml:2: global\.scrape_interval: expected a positive duration/);
    assert.equal(hw.child.exitCode, null);
    const targets = (await (await api('/api/v1/targets')).json()) as { targets: unknown[] };
    assert.equal(targets.targets.length, 5);
    assert.match(await (await api('/metrics')).text(), /heapwatch_config_reloads_total\{result="failure"\} 1/);
  });

  it('applies a good reload without losing state', async () => {
    const before = (await (await api('/api/v1/targets')).json()) as { targets: { id: number; labels: { service: string } }[] };
    const goodId = before.targets.find((t) => t.labels.service === 'good')!.id;
    // The good target's first profile must be stored before the reload, or there is no state to keep:
    // on a loaded machine the first decode (worker start-up) can lag behind the failing targets' errors.
    const storedProfiles = async (): Promise<number> => ((await (await api(`/api/v1/targets/${goodId}/profiles`)).json()) as { profiles: unknown[] }).profiles.length;
    let storedBefore = 0;
    await waitFor('a stored profile of the good target', async () => (storedBefore = await storedProfiles()) >= 1, 20_000);
    const next = { ...config, targets: (config.targets as { labels: { service: string } }[]).filter((t) => t.labels.service === 'good') };
    writeFileSync(configPath, stringify(next));
    hw.child.kill('SIGHUP');
    await waitFor('the reload', () => /config reloaded/.test(hw.log()), 10_000);
    const after = (await (await api('/api/v1/targets')).json()) as { targets: { id: number; scrapes: number }[] };
    assert.equal(after.targets.length, 1);
    assert.equal(after.targets[0]!.id, goodId, 'same target id: its history is kept');
    assert.ok((await storedProfiles()) >= storedBefore, 'the profiles stored before the reload are still there');
    assert.ok(readFileSync(dbPath).length > 0);
  });
});
