import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import type { HeapwatchError } from '../errors.js';
import { HttpDiscovery, type HttpSdOptions } from './http-sd.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const json = (body: unknown, status = 200): Handler => (_req, res) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};
const raw = (body: string, type = 'application/json', status = 200): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': type }).end(body);
};

const INITIAL = [
  { targets: ['10.0.0.1:6060', '10.0.0.2:6060'], labels: { service: 'checkout', env: 'prod' } },
  { targets: ['http://10.0.0.3:7070/custom/heap'] },
];

/** Polls until `cond` holds; fails after `ms` instead of hanging the suite. */
async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HttpDiscovery', () => {
  let server: Server;
  let base: string;
  let handler: Handler = json([]);
  let requests = 0;
  let sd: HttpDiscovery | undefined;
  let changes = 0;
  let errors: HeapwatchError[] = [];

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      // No keep-alive: afterEach drops every socket, and a pooled socket
      // killed that way would fail the next test's first request.
      res.setHeader('connection', 'close');
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  afterEach(async () => {
    await sd?.stop();
    sd = undefined;
    server.closeAllConnections();
  });

  function discovery(options?: HttpSdOptions, path = '/sd'): HttpDiscovery {
    changes = 0;
    errors = [];
    requests = 0;
    const config = parseConfig(
      `http_sd:\n  - url: ${base}${path}\n    refresh_interval: 1h\n    scheme: https\n    path: /debug/pprof/heap\n    params: { gc: 1 }\n    interval: 30s\n`,
      'test.yml',
    );
    sd = new HttpDiscovery(config, { onChange: () => changes++, onError: (e) => errors.push(e) }, options);
    return sd;
  }

  /** Discovery already holding INITIAL's targets. */
  async function primed(options?: HttpSdOptions): Promise<HttpDiscovery> {
    const d = discovery(options);
    handler = json(INITIAL);
    await d.refresh();
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.equal(d.targets().length, 3);
    changes = 0;
    return d;
  }

  it('turns the list into targets with labels and the block settings', async () => {
    const d = discovery();
    handler = json(INITIAL);
    await d.refresh();
    assert.equal(changes, 1);
    assert.deepEqual(errors, []);
    const byUrl = new Map(d.targets().map((t) => [t.url, t]));
    assert.deepEqual([...byUrl.keys()].sort(), [
      'http://10.0.0.3:7070/custom/heap?gc=1',
      'https://10.0.0.1:6060/debug/pprof/heap?gc=1',
      'https://10.0.0.2:6060/debug/pprof/heap?gc=1',
    ]);
    const t1 = byUrl.get('https://10.0.0.1:6060/debug/pprof/heap?gc=1')!;
    assert.deepEqual(t1.labels, { service: 'checkout', env: 'prod', instance: '10.0.0.1:6060' });
    assert.equal(t1.source, `http_sd:${base}/sd`);
    assert.equal(t1.intervalMs, 30_000);
    assert.equal(byUrl.get('http://10.0.0.3:7070/custom/heap?gc=1')!.labels.service, '10.0.0.3');
  });

  it('notifies once when the list changes, and not at all when it does not', async () => {
    const d = await primed();
    await d.refresh();
    assert.equal(changes, 0, 'unchanged list must not notify');
    handler = json([{ targets: ['10.0.0.9:6060'], labels: { service: 'cart' } }]);
    await d.refresh();
    assert.equal(changes, 1);
    assert.deepEqual(d.targets().map((t) => t.url), ['https://10.0.0.9:6060/debug/pprof/heap?gc=1']);
    await d.refresh();
    assert.equal(changes, 1);
    assert.deepEqual(errors, []);
  });

  // Document problems are HW_ERR_SD_FILE_INVALID (as for file_sd); endpoint problems HW_ERR_SD_HTTP.
  const DOCUMENT = new Set(['invalid JSON', 'a schema error', 'a bad label name', 'null instead of a list']);
  const failures: [string, Handler, RegExp, HttpSdOptions?][] = [
    ['HTTP 500', raw('boom', 'text/plain', 500), /HTTP 500 Internal Server Error/],
    ['invalid JSON', raw('[{"targets": ['), /not JSON: /],
    ['a non-JSON content type', raw('[]', 'text/html'), /not JSON: Content-Type is "text\/html"/],
    ['a schema error', json([{ targets: '10.0.0.1:6060' }]), /: 0\.targets: /],
    ['a bad label name', json([{ targets: ['a:1'], labels: { 'bad-name': 'x' } }]), /: 0\.labels/],
    ['null instead of a list', raw('null'), /expected a JSON array/],
    ['an oversized body (Content-Length)', json([{ targets: Array.from({ length: 200 }, (_, i) => `10.1.0.${i}:6060`) }]), /body too large: \d+ bytes declared, limit 1024/, { maxBodyBytes: 1024 }],
    [
      'an oversized streamed body (no Content-Length)',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[{"targets":[');
        res.end(Array.from({ length: 200 }, (_, i) => `"10.1.0.${i}:6060"`).join(',') + ']}]');
      },
      /body too large: more than 1024 bytes/,
      { maxBodyBytes: 1024 },
    ],
    ['a redirect to another origin', (_req, res) => res.writeHead(302, { location: 'http://127.0.0.2:1/sd' }).end(), /HTTP 302 redirect to http:\/\/127\.0\.0\.2:1\/sd not followed/],
    ['a timeout (no answer)', () => undefined, /timed out after 200 ms/, { timeoutMs: 200 }],
    [
      'a timeout mid-body',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
      },
      /timed out after 200 ms/,
      { timeoutMs: 200 },
    ],
  ];
  for (const [name, failing, cause, options] of failures) {
    it(`keeps the last good targets and reports ${name}`, async () => {
      const d = await primed(options);
      const good = d.targets();
      handler = failing;
      const started = Date.now();
      await d.refresh();
      assert.ok(Date.now() - started < 5_000, 'refresh must be bounded');
      assert.equal(errors.length, 1, `errors: ${errors.map((e) => e.message).join('; ')}`);
      const err = errors[0]!;
      assert.equal(err.code, DOCUMENT.has(name) ? 'HW_ERR_SD_FILE_INVALID' : 'HW_ERR_SD_HTTP', err.message);
      assert.ok(err.message.includes(`${base}/sd`), `message names the URL: ${err.message}`);
      assert.match(err.message, cause);
      assert.deepEqual(d.targets(), good);
      assert.equal(changes, 0);
    });
  }

  it('never requests the redirect target', async () => {
    let hits = 0;
    const other = createServer((_req, res) => {
      hits++;
      json(INITIAL)(_req, res);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const d = discovery();
      const location = `http://127.0.0.1:${(other.address() as AddressInfo).port}/sd`;
      handler = (_req, res) => res.writeHead(307, { location }).end();
      await d.refresh();
      assert.equal(hits, 0);
      assert.deepEqual(d.targets(), []);
      assert.match(errors[0]?.message ?? '', /HTTP 307 redirect to .* not followed/);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('reports a refused connection with the URL and the cause', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const config = parseConfig(`http_sd:\n  - url: http://127.0.0.1:${port}/sd\n`, 'test.yml');
    const errs: HeapwatchError[] = [];
    sd = new HttpDiscovery(config, { onChange: () => assert.fail('no change expected'), onError: (e) => errs.push(e) });
    await sd.refresh();
    assert.equal(errs.length, 1);
    assert.match(errs[0]!.message, new RegExp(`http://127\\.0\\.0\\.1:${port}/sd: request failed: ECONNREFUSED`));
    assert.deepEqual(sd.targets(), []);
  });

  it('start() fetches at once; stop() aborts a poll in flight without reporting it', async () => {
    const d = discovery();
    handler = json(INITIAL);
    d.start();
    await waitFor(() => changes === 1);
    assert.equal(d.targets().length, 3);
    handler = () => undefined; // the next poll hangs until stop() aborts it
    const pending = d.refresh();
    await waitFor(() => requests === 2);
    await d.stop();
    await pending;
    assert.deepEqual(errors, []);
    assert.equal(changes, 1);
  });

  it('joins a poll already in flight instead of sending a second request', async () => {
    const d = discovery();
    let release: () => void = () => undefined;
    handler = (req, res) => {
      release = () => json(INITIAL)(req, res);
    };
    const first = d.refresh();
    await waitFor(() => requests === 1);
    const second = d.refresh();
    release();
    await Promise.all([first, second]);
    assert.equal(requests, 1);
    assert.equal(changes, 1);
  });
});
