/**
 * The push receivers' contract, over real HTTP on loopback against the real
 * daemon: Connect PushRequests in binary protobuf and JSON, pyroscope-go's
 * multipart /ingest, hostile labels, truncated bodies, wrong content types,
 * auth failures, body and decompression limits, the per-tenant rate limit
 * and the target cap, each with its code; scraping wins over a push of the
 * same service and instance; and a scraped target next to all of it is
 * never affected.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../src/main.js';
import { freePort, startTestDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { openDatabase } from '../src/store/db.js';
import { PROFILES } from './helpers/paths.js';
import { startProfileServer, type ProfileServer } from './helpers/profile-server.js';
import { encodePushRequest } from './helpers/push-request.js';

const TOKEN = 'push-token-0123456789';
const API_TOKEN = 'api-token-0123456789ab';
const PROFILE = readFileSync(`${PROFILES}grower.pb.gz`);
const BOMB = gzipSync(Buffer.alloc(32 << 20));

type Labels = [string, string][];
const memory = (service: string, extra: Labels = []): Labels => [['__name__', 'memory'], ['__delta__', 'false'], ['service_name', service], ...extra];

interface Sent {
  status: number;
  body: { code?: string; message?: string };
}

async function post(base: string, path: string, body: Uint8Array | string | FormData, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Sent['body']) : {} };
}

function connect(base: string, body: Uint8Array | string, opts: { type?: string; auth?: string; tenant?: string; encoding?: string } = {}): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/proto', 'connect-protocol-version': '1' };
  if (opts.auth !== '') headers.authorization = opts.auth ?? `Bearer ${TOKEN}`;
  if (opts.tenant) headers['x-scope-orgid'] = opts.tenant;
  if (opts.encoding) headers['content-encoding'] = opts.encoding;
  return post(base, '/push.v1.PusherService/Push', body, headers);
}

function ingest(base: string, name: string, profile: Uint8Array, opts: { auth?: string; config?: object; tenant?: string; query?: string } = {}): Promise<Sent> {
  const form = new FormData();
  form.append('profile', new Blob([profile]), 'profile.pprof');
  if (opts.config) form.append('sample_type_config', new Blob([JSON.stringify(opts.config)]), 'sample_type_config.json');
  const headers: Record<string, string> = {};
  if (opts.auth !== '') headers.authorization = opts.auth ?? `Bearer ${TOKEN}`;
  if (opts.tenant) headers['x-scope-orgid'] = opts.tenant;
  const q = opts.query ?? `name=${encodeURIComponent(name)}&from=1796220530000000000&until=1796220533262903492&spyName=gospy&sampleRate=100`;
  return post(base, `/ingest?${q}`, form, headers);
}

function pushMetric(text: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`heapwatch_push_${labels} `) || l.startsWith(`heapwatch_push_${labels}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('push receivers: protocol contract', () => {
  let hw: TestDaemon;
  let base: string;
  let server: ProfileServer;
  const logLines: string[] = [];

  before(async () => {
    server = await startProfileServer(() => [PROFILE]);
    const logs = new PassThrough();
    createInterface({ input: logs }).on('line', (l) => logLines.push(l));
    hw = await startTestDaemon({
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      api: { auth_token: API_TOKEN },
      push: { enabled: true, auth_token: TOKEN, basic_auth: { username: 'alloy', password: 'basic-secret' }, interval: '1s' },
      targets: [{ url: server.targetUrl(0), labels: { service: 'scraped', instance: '10.0.0.9:6060' } }],
    }, { logLevel: 'warn', logDestination: logs });
    base = hw.daemon.address;
  });

  after(async () => {
    await hw?.daemon.stop();
    await server?.close();
  });

  it('stores a binary protobuf PushRequest as a target with source push, and drops other types by type', async () => {
    const body = encodePushRequest([
      { labels: memory('bin-svc', [['instance', 'h:1']]), samples: [{ id: 'a', raw: PROFILE }] },
      { labels: [['__name__', 'process_cpu'], ['service_name', 'bin-svc'], ['instance', 'h:1']], samples: [{ id: 'b', raw: PROFILE }] },
      { labels: [['__name__', 'mutex'], ['service_name', 'bin-svc']], samples: [{ id: 'c', raw: new Uint8Array([1, 2, 3]) }] },
    ]);
    const r = await connect(base, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const targets = await hw.daemon.app.inject({ url: '/api/v1/targets', headers: { authorization: `Bearer ${API_TOKEN}` } });
    const pushed = targets.json<{ targets: { url: string; source: string; health: string; labels: Record<string, string>; scrapes: number }[] }>().targets.filter((t) => t.source === 'push');
    assert.deepEqual(pushed.map((t) => t.url), ['push:{instance="h:1",service_name="bin-svc"}']);
    assert.equal(pushed[0]!.health, 'up');
    assert.equal(pushed[0]!.labels.service, 'bin-svc');
    assert.equal(pushed[0]!.scrapes, 1);
    const text = await hw.daemon.metrics.exposition();
    assert.equal(pushMetric(text, 'profiles_total{type="memory",result="stored"}'), 1);
    assert.equal(pushMetric(text, 'profiles_total{type="process_cpu",result="dropped_type"}'), 1);
    assert.equal(pushMetric(text, 'profiles_total{type="mutex",result="dropped_type"}'), 1);
  });

  it('takes the JSON form (proto3 JSON: bytes as base64) and answers {}', async () => {
    const json = JSON.stringify({ series: [{ labels: memory('json-svc').map(([name, value]) => ({ name, value })), samples: [{ rawProfile: base64Encode(PROFILE), ID: 'j1' }] }] });
    const res = await fetch(`${base}/push.v1.PusherService/Push`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: json });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{}');
    assert.ok(hw.daemon.push.status().some((s) => s.target.key === 'push:{service_name="json-svc"}'));
  });

  it("takes pyroscope-go's multipart /ingest with name=app{labels}, with its delta heap profiles", async () => {
    const config = { alloc_objects: { units: 'objects' }, alloc_space: { units: 'bytes' }, inuse_objects: { units: 'objects', aggregation: 'average' }, inuse_space: { units: 'bytes', aggregation: 'average' } };
    const r = await ingest(base, 'go-app{__session_id__=abc,env=prod,instance=pod-1}', PROFILE, { config });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const s = hw.daemon.push.status().find((x) => x.target.key === 'push:{instance="pod-1",service_name="go-app"}');
    assert.ok(s, 'the pushed target exists');
    assert.equal(s.lastOutcome, 'ok');
    // CPU uploads carry no sample_type_config and units=samples: acknowledged, dropped.
    const cpu = await ingest(base, 'go-app{instance=pod-1}', PROFILE, { query: 'name=go-app&units=samples&aggregationType=sum' });
    assert.equal(cpu.status, 200);
    const text = await hw.daemon.metrics.exposition();
    assert.equal(pushMetric(text, 'profiles_total{type="process_cpu",result="dropped_type"}'), 2);
    // A raw pprof body (format=pprof, no multipart), as older SDKs send it: a cumulative Go heap profile.
    const raw = await post(base, '/ingest?name=raw-app&format=pprof', PROFILE, { 'content-type': 'binary/octet-stream+pprof', authorization: `Bearer ${TOKEN}` });
    assert.equal(raw.status, 200, JSON.stringify(raw.body));
    assert.equal(hw.daemon.push.status().find((x) => x.target.key === 'push:{service_name="raw-app"}')?.lastOutcome, 'ok');
  });

  it("starts a new process epoch when pyroscope-go's __session_id__ changes, which its delta heap profiles cannot show", async () => {
    const config = { alloc_objects: { units: 'objects' }, alloc_space: { units: 'bytes' }, inuse_objects: { units: 'objects', aggregation: 'average' }, inuse_space: { units: 'bytes', aggregation: 'average' } };
    // The same profile three times: from one process it is stale; a new
    // session is a restart, though its inuse and (removed) alloc show none.
    for (const session of ['s-1', 's-1', 's-2']) {
      const r = await ingest(base, `restarting-app{__session_id__=${session},instance=pod-7}`, PROFILE, { config });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const db = openDatabase(hw.dbPath);
    try {
      const epochs = db
        .prepare("SELECT e.reason FROM epochs e JOIN targets t ON t.id = e.target_id WHERE t.key = 'push:{instance=\"pod-7\",service_name=\"restarting-app\"}' ORDER BY e.id")
        .all() as { reason: string }[];
      assert.deepEqual(epochs.map((e) => e.reason), ['first', 'restart']);
    } finally {
      db.close();
    }
  });

  it('refuses hostile labels, truncated bodies and bad names with a clear 400, and stores nothing of them', async () => {
    const before = hw.daemon.push.status().length;
    const cases: [string, Uint8Array][] = [
      ['control bytes', encodePushRequest([{ labels: memory('evil\u001b[2J'), samples: [{ id: 'x', raw: PROFILE }] }])],
      ['bad label name', encodePushRequest([{ labels: [...memory('ok'), ['bad-name', 'v']], samples: [{ id: 'x', raw: PROFILE }] }])],
      ['huge value', encodePushRequest([{ labels: memory('x'.repeat(5000)), samples: [{ id: 'x', raw: PROFILE }] }])],
      ['truncated', encodePushRequest([{ labels: memory('trunc'), samples: [{ id: 'x', raw: PROFILE }] }]).subarray(0, 40)],
    ];
    for (const [what, body] of cases) {
      const r = await connect(base, body);
      assert.equal(r.status, 400, what);
      assert.equal(r.body.code, 'invalid_argument', what);
      assert.match(r.body.message!, /^HW_ERR_PUSH_MALFORMED: /, what);
    }
    const badJson = await connect(base, '{"series":[{"labels":[{"name":"service_name","value":"x"}],"samples":[{"rawProfile":"%%%"}]}]}', { type: 'application/json' });
    assert.equal(badJson.status, 400);
    for (const name of ['', 'app{env=x', '{x=y}', 'app{a\u0000=b}']) {
      const r = await ingest(base, name, PROFILE);
      assert.equal(r.status, 400, JSON.stringify(name));
      assert.equal(r.body.code, 'HW_ERR_PUSH_MALFORMED');
    }
    assert.equal((await ingest(base, 'app', PROFILE, { query: 'name=app&format=folded' })).body.code, 'HW_ERR_PUSH_MALFORMED');
    assert.equal((await ingest(base, 'app', PROFILE, { query: 'name=app&from=yesterday' })).body.code, 'HW_ERR_PUSH_MALFORMED');
    assert.equal(hw.daemon.push.status().length, before, 'no target was created by a refused push');
  });

  it('refuses a truncated profile inside a well-formed request with the decoder code, recorded on its target', async () => {
    const r = await connect(base, encodePushRequest([{ labels: memory('trunc-profile'), samples: [{ id: 'x', raw: PROFILE.subarray(0, PROFILE.length - 30) }] }]));
    assert.equal(r.status, 400);
    assert.match(r.body.message!, /^HW_ERR_PROFILE_GZIP: /);
    const s = hw.daemon.push.status().find((x) => x.target.key === 'push:{service_name="trunc-profile"}')!;
    assert.equal(s.lastError?.code, 'HW_ERR_PROFILE_GZIP');
    assert.equal(s.health, 'down');
    const viaIngest = await ingest(base, 'trunc-ingest', PROFILE.subarray(0, 100));
    assert.equal(viaIngest.status, 422);
    assert.equal(viaIngest.body.code, 'HW_ERR_PROFILE_GZIP');
  });

  it('answers a wrong content type with 415 and its code', async () => {
    const body = encodePushRequest([{ labels: memory('ct'), samples: [{ id: 'x', raw: PROFILE }] }]);
    for (const type of ['text/plain', 'application/grpc', 'application/x-www-form-urlencoded']) {
      const r = await connect(base, body, { type });
      assert.equal(r.status, 415, type);
      assert.match(r.body.message!, /^HW_ERR_PUSH_CONTENT_TYPE: /, type);
    }
    const r = await post(base, '/ingest?name=app', 'hello', { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` });
    assert.equal(r.status, 415);
    assert.equal(r.body.code, 'HW_ERR_PUSH_CONTENT_TYPE');
    const encoding = await connect(base, body, { encoding: 'br' });
    assert.equal(encoding.status, 415);
  });

  it('takes a gzip-compressed Connect request (Content-Encoding: gzip)', async () => {
    const body = gzipSync(encodePushRequest([{ labels: memory('gz-svc'), samples: [{ id: 'x', raw: PROFILE }] }]));
    assert.equal((await connect(base, body, { encoding: 'gzip' })).status, 200);
  });

  it('needs the push credentials (bearer or basic), and not the API token', async () => {
    const body = encodePushRequest([{ labels: memory('auth-svc'), samples: [{ id: 'x', raw: PROFILE }] }]);
    const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    for (const auth of ['', 'Bearer wrong-token-0000000000', `Bearer ${API_TOKEN}`, basic('alloy', 'nope'), basic('other', 'basic-secret'), 'Basic !!!']) {
      const r = await connect(base, body, { auth });
      assert.equal(r.status, 401, auth);
      assert.equal(r.body.code, 'unauthenticated');
      assert.match(r.body.message!, /^HW_ERR_PUSH_UNAUTHORIZED: /);
      const i = await ingest(base, 'auth-svc', PROFILE, { auth });
      assert.equal(i.status, 401);
      assert.equal(i.body.code, 'HW_ERR_PUSH_UNAUTHORIZED');
    }
    assert.equal((await connect(base, body, { auth: basic('alloy', 'basic-secret') })).status, 200);
    assert.equal((await connect(base, body)).status, 200);
    // The push token opens no API route.
    const api = await fetch(`${base}/api/v1/targets`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(api.status, 401);
  });

  it('drops a push of a scraped service and instance (scraping wins), counts it, and says so in one log line', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await connect(base, encodePushRequest([{ labels: memory('scraped', [['instance', '10.0.0.9:6060']]), samples: [{ id: `x${i}`, raw: PROFILE }] }]));
      assert.equal(r.status, 200);
    }
    assert.ok(!hw.daemon.push.status().some((s) => s.target.labels.service === 'scraped'));
    assert.equal(pushMetric(await hw.daemon.metrics.exposition(), 'profiles_total{type="memory",result="dropped_scraped"}'), 2);
    const warned = logLines.filter((l) => l.includes('scraping wins'));
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.equal((JSON.parse(warned[0]!) as { instance: string }).instance, '10.0.0.9:6060');
  });

  it('takes new credentials on reload (SIGHUP), and keeps the running ones when the new file is bad', async () => {
    const body = encodePushRequest([{ labels: memory('reload-svc'), samples: [{ id: 'x', raw: PROFILE }] }]);
    const original = readFileSync(hw.configPath, 'utf8');
    try {
      writeFileSync(hw.configPath, original.replace(TOKEN, 'rotated-token-0123456789'));
      assert.equal(await hw.daemon.reload(), undefined);
      assert.equal((await connect(base, body)).status, 401, 'the old token is refused');
      assert.equal((await connect(base, body, { auth: 'Bearer rotated-token-0123456789' })).status, 200);
      writeFileSync(hw.configPath, original.replace(TOKEN, 'short'));
      assert.equal((await hw.daemon.reload())?.code, 'HW_ERR_CONFIG_INVALID');
      assert.equal((await connect(base, body, { auth: 'Bearer rotated-token-0123456789' })).status, 200, 'a bad file changes nothing');
    } finally {
      writeFileSync(hw.configPath, original);
      await hw.daemon.reload();
    }
    assert.equal((await connect(base, body)).status, 200);
  });

  it('never affects the scraped target', async () => {
    const scraped = (): { health: string; failures: number; scrapes: number } => hw.daemon.manager.status()[0]!;
    const at = scraped().scrapes;
    await waitFor('two more scrapes', () => scraped().scrapes >= at + 2, 15_000);
    assert.equal(scraped().health, 'up');
    assert.equal(scraped().failures, 0);
  });
});

describe('push receivers: limits', () => {
  let hw: TestDaemon;
  let base: string;

  before(async () => {
    hw = await startTestDaemon({
      global: { max_body_bytes: '64KiB', max_decompressed_bytes: '1MiB' },
      push: { enabled: true, auth_token: TOKEN, max_targets: 3, rate_limit: { requests_per_second: 0.1, burst: 10 } },
    });
    base = hw.daemon.address;
  });

  after(async () => {
    await hw?.daemon.stop();
  });

  it('refuses a body over max_body_bytes (HW_ERR_BODY_TOO_LARGE), on both receivers', async () => {
    const big = Buffer.alloc(100 << 10, 7);
    const r = await connect(base, encodePushRequest([{ labels: memory('big'), samples: [{ id: 'x', raw: big }] }]), { tenant: 'limits' });
    assert.equal(r.status, 429);
    assert.equal(r.body.code, 'resource_exhausted');
    assert.match(r.body.message!, /^HW_ERR_BODY_TOO_LARGE: /);
    const i = await ingest(base, 'big', big, { tenant: 'limits' });
    assert.equal(i.status, 413);
    assert.equal(i.body.code, 'HW_ERR_BODY_TOO_LARGE');
  });

  it('refuses a gzip bomb at max_decompressed_bytes, in a profile and as a request body', async () => {
    assert.ok(BOMB.length < 64 << 10);
    const r = await connect(base, encodePushRequest([{ labels: memory('bomb'), samples: [{ id: 'x', raw: BOMB }] }]), { tenant: 'limits' });
    assert.match(r.body.message!, /^HW_ERR_DECOMPRESSED_TOO_LARGE: /);
    const delta = await ingest(base, 'bomb-delta', BOMB, { tenant: 'limits', config: { alloc_space: { units: 'bytes' }, inuse_space: { units: 'bytes' } } });
    assert.equal(delta.body.code, 'HW_ERR_DECOMPRESSED_TOO_LARGE');
    const body = await connect(base, BOMB, { tenant: 'limits', encoding: 'gzip' });
    assert.match(body.body.message!, /^HW_ERR_DECOMPRESSED_TOO_LARGE: /);
  });

  it('caps pushed targets at max_targets (HW_ERR_PUSH_TOO_MANY_TARGETS); known ones keep being taken', async () => {
    const known = hw.daemon.push.status().length;
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await connect(base, encodePushRequest([{ labels: memory(`cap-${i}`), samples: [{ id: 'x', raw: PROFILE }] }]), { tenant: 'cap' })).status);
    const refused = await connect(base, encodePushRequest([{ labels: memory('cap-new'), samples: [{ id: 'x', raw: PROFILE }] }]), { tenant: 'cap' });
    assert.equal(refused.status, 429);
    assert.match(refused.body.message!, /^HW_ERR_PUSH_TOO_MANY_TARGETS: /);
    assert.equal(hw.daemon.push.status().length, 3);
    assert.equal(codes.filter((c) => c === 200).length, 3 - known);
    const again = await connect(base, encodePushRequest([{ labels: memory('cap-0'), samples: [{ id: 'y', raw: PROFILE }] }]), { tenant: 'cap' });
    assert.equal(again.status, 200);
    assert.equal((await ingest(base, 'cap-new-ingest', PROFILE, { tenant: 'cap' })).body.code, 'HW_ERR_PUSH_TOO_MANY_TARGETS');
  });

  it('rate-limits per tenant (HW_ERR_PUSH_RATE_LIMITED) without slowing other tenants', async () => {
    const body = encodePushRequest([{ labels: [['__name__', 'process_cpu'], ['service_name', 'noisy']], samples: [{ id: 'x', raw: PROFILE }] }]);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await connect(base, body, { tenant: 'noisy' })).status);
    assert.equal(statuses.filter((s) => s === 200).length, 10, `burst of 10: ${statuses.join(',')}`);
    const limited = await connect(base, body, { tenant: 'noisy' });
    assert.equal(limited.status, 429);
    assert.match(limited.body.message!, /^HW_ERR_PUSH_RATE_LIMITED: .*noisy/);
    const ingestLimited = await ingest(base, 'noisy', PROFILE, { tenant: 'noisy' });
    assert.equal(ingestLimited.body.code, 'HW_ERR_PUSH_RATE_LIMITED');
    assert.equal((await connect(base, body, { tenant: 'quiet' })).status, 200);
    assert.equal((await connect(base, body, { tenant: 'bad|tenant' })).status, 400);
    const text = await hw.daemon.metrics.exposition();
    assert.ok(pushMetric(text, 'requests_total{protocol="connect",code="HW_ERR_PUSH_RATE_LIMITED"}') >= 6);
  });
});

describe('push receivers: silence', () => {
  let hw: TestDaemon;

  before(async () => {
    hw = await startTestDaemon({ push: { enabled: true, interval: '1s', down_after: '2s', forget_after: '4s' } });
  });

  after(async () => {
    await hw?.daemon.stop();
  });

  it('marks a silent pushed target down after down_after, then forgets it after forget_after; its history stays', async () => {
    const r = await connect(hw.daemon.address, encodePushRequest([{ labels: memory('quiet-svc', [['instance', 'q:1']]), samples: [{ id: 'x', raw: PROFILE }] }]), { auth: '' });
    assert.equal(r.status, 200);
    const key = 'push:{instance="q:1",service_name="quiet-svc"}';
    const listed = async (): Promise<{ url: string; health: string }[]> => (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { url: string; health: string }[] }>().targets;
    assert.equal((await listed()).find((t) => t.url === key)?.health, 'up');
    const up = async (): Promise<string | undefined> => (await hw.daemon.metrics.exposition()).split('\n').find((l) => l.startsWith('heapwatch_target_up{') && l.includes('q:1'));
    assert.match((await up())!, / 1$/);
    await waitFor('the target is down', async () => (await listed()).find((t) => t.url === key)?.health === 'down', 10_000);
    assert.match((await up())!, / 0$/);
    await waitFor('the target is forgotten', async () => !(await listed()).some((t) => t.url === key), 10_000);
    assert.equal(pushMetric(await hw.daemon.metrics.exposition(), 'targets'), 0);
    // Stored history stays: the target row and its profile are still in SQLite.
    const row = hw.daemon.reader.targetByKey(key);
    assert.ok(row);
    assert.equal(hw.daemon.reader.profiles(row.id, 10).length, 1);
  });
});

describe('push receivers: before the database opens', () => {
  it('answer 503 HW_ERR_PUSH_NOT_READY (Connect: unavailable) until the database opens, then take pushes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-push-notready-'));
    // A file where the database's folder should be: opening fails (ENOTDIR) until it is a folder.
    const dbDir = join(dir, 'not-yet');
    writeFileSync(dbDir, 'not a folder');
    const port = await freePort();
    const configPath = join(dir, 'heapwatch.yaml');
    writeFileSync(configPath, stringify({ storage: { path: join(dbDir, 'heapwatch.db'), open_retry_interval: '300ms' }, api: { listen: `127.0.0.1:${port}` }, push: { enabled: true } }));
    const starting = startDaemon(configPath, { logLevel: 'silent' });
    const base = `http://127.0.0.1:${port}`;
    const body = encodePushRequest([{ labels: memory('early'), samples: [{ id: 'x', raw: PROFILE }] }]);
    let daemon: Daemon | undefined;
    try {
      await waitFor('the API to listen', async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, 15_000);
      const early = await connect(base, body, { auth: '' });
      assert.equal(early.status, 503);
      assert.equal(early.body.code, 'unavailable');
      assert.match(early.body.message!, /^HW_ERR_PUSH_NOT_READY: /);
      const viaIngest = await ingest(base, 'early', PROFILE, { auth: '' });
      assert.equal(viaIngest.status, 503);
      assert.equal(viaIngest.body.code, 'HW_ERR_PUSH_NOT_READY');
      rmSync(dbDir);
      mkdirSync(dbDir);
      daemon = await starting;
      assert.equal((await connect(base, body, { auth: '' })).status, 200);
    } finally {
      await (daemon ?? (await starting.catch(() => undefined)))?.stop();
    }
  });
});
