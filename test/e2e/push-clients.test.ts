/**
 * Real clients of both push protocols against the real daemon, on loopback:
 * - a leaking Go service instrumented with github.com/grafana/pyroscope-go
 *   (godeltaprof heap profiles, CPU next to them) uploads to /ingest every
 *   second, and its leak becomes a finding with the right class;
 * - a Go program sends PushRequests with the generated Connect client of
 *   github.com/grafana/pyroscope/api, as Alloy's pyroscope.write does, in
 *   binary protobuf, JSON and gzip, and with a wrong token.
 * The receivers run on their own `push.listen`; detection is scaled down by
 * config as in daemon-detect.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { decodeHeapProfile } from '../../src/pprof/decode.js';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { buildGoFixture, startReadyProcess, type RunningService } from '../helpers/go-service.js';

const TOKEN = 'push-clients-token-0123';
const FAST_DETECT = { window: '3m', min_window: '15s', min_points: 10, for: '5s', resolve_after: '1m', min_growth_bytes: '2MiB', warmup: '0s' };

/** Runs the Connect client to its end (bounded by -count and a timeout) and returns its output lines. */
function runConnectClient(binary: string, args: string[], timeoutMs = 30_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`push-connect did not finish within ${timeoutMs} ms: ${lines.join(' | ')}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(lines);
      else reject(new Error(`push-connect exited with ${code}: ${lines.join(' | ')}`));
    });
  });
}

describe('push: real pyroscope-go and Connect clients', () => {
  let hw: TestDaemon;
  let app: RunningService | undefined;
  let pushUrl: string;
  let connectBinary: string;
  const opened: { key: string; cls: string; fn: string }[] = [];

  before(async () => {
    const pyroscopeGo = buildGoFixture('go/push-pyroscope-go');
    connectBinary = buildGoFixture('go/push-connect');
    hw = await startTestDaemon(
      { detect: FAST_DETECT, push: { enabled: true, listen: '127.0.0.1:0', auth_token: TOKEN, interval: '1s', down_after: '30s' } },
      { onFinding: (key, e) => e.type === 'opened' && opened.push({ key, cls: e.finding.classId, fn: e.finding.function }) },
    );
    pushUrl = hw.daemon.push.address!;
    ({ service: app } = await startReadyProcess(pyroscopeGo, ['-server', pushUrl, '-app', 'checkout', '-token', TOKEN, '-upload-rate', '1s', '-rate', `${2 << 20}`], /^started$/));
  });

  after(async () => {
    await app?.stop();
    await hw?.daemon.stop().catch(() => undefined);
  });

  it('sends PushRequests with the generated Connect client: binary, JSON, gzip; a wrong token is unauthenticated', async () => {
    const common = ['-server', pushUrl, '-service', 'payments', '-instance', '10.0.0.7:6060', '-interval', '200ms', '-token', TOKEN];
    const [binary, json, gzip, wrong] = await Promise.all([
      runConnectClient(connectBinary, [...common, '-count', '4']),
      runConnectClient(connectBinary, [...common, '-count', '2', '-json', '-instance', 'json-host:1']),
      runConnectClient(connectBinary, [...common, '-count', '2', '-gzip', '-instance', 'gzip-host:1', '-tenant', 'team-a']),
      runConnectClient(connectBinary, [...common, '-count', '1', '-token', 'not-the-token-000000', '-instance', 'nope:1']),
    ]);
    assert.deepEqual(binary.slice(1), ['push ok', 'push ok', 'push ok', 'push ok']);
    assert.deepEqual(json.slice(1), ['push ok', 'push ok']);
    assert.deepEqual(gzip.slice(1), ['push ok', 'push ok']);
    assert.match(wrong[1]!, /^push error: unauthenticated: HW_ERR_PUSH_UNAUTHORIZED: /);
    const status = hw.daemon.push.status();
    const payments = status.find((s) => s.target.key === 'push:{instance="10.0.0.7:6060",service_name="payments"}');
    assert.ok(payments, status.map((s) => s.target.key).join(', '));
    assert.equal(payments.scrapes, 4);
    assert.equal(payments.failures, 0);
    assert.ok(status.some((s) => s.target.labels.instance === 'json-host:1'));
    assert.ok(!status.some((s) => s.target.labels.instance === 'nope:1'));
    const text = await hw.daemon.metrics.exposition();
    // Each request also carries a process_cpu series: acknowledged, dropped by type.
    assert.match(text, /heapwatch_push_profiles_total\{type="process_cpu",result="dropped_type"\} (\d+)/);
    assert.ok(Number(/heapwatch_push_profiles_total\{type="process_cpu",result="dropped_type"\} (\d+)/.exec(text)![1]) >= 8);
    // The cumulative heap profile keeps its alloc_* (Alloy's memory profiles are not deltas).
    const row = hw.daemon.reader.targetByKey(payments.target.key)!;
    const stored = hw.daemon.reader.profiles(row.id, 1)[0]!;
    const profile = decodeHeapProfile(hw.daemon.reader.profileBytes(row.id, stored.id)!.bytes, { maxDecompressedBytes: 64 << 20 });
    assert.deepEqual(profile.sampleTypes.map((t) => t.type), ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
  });

  it("finds the pyroscope-go service's leak as an unclassified-growth finding naming the leaking function", async () => {
    await waitFor('a finding for main.leakEntry', () => opened.some((o) => o.fn === 'main.leakEntry' && o.cls === 'unclassified-growth'), 90_000, 250);
    const f = opened.find((o) => o.fn === 'main.leakEntry')!;
    assert.match(f.key, /^push:\{service_name="checkout"\}$/);
    const res = await hw.daemon.app.inject({ url: '/api/v1/targets' });
    const t = res.json<{ targets: { url: string; source: string; health: string; labels: Record<string, string> }[] }>().targets.find((x) => x.url === f.key)!;
    assert.equal(t.source, 'push');
    assert.equal(t.health, 'up');
    assert.equal(t.labels.service, 'checkout');
    // godeltaprof's alloc_* are deltas: stored profiles keep inuse_* only.
    const row = hw.daemon.reader.targetByKey(f.key)!;
    const stored = hw.daemon.reader.profiles(row.id, 1)[0]!;
    const profile = decodeHeapProfile(hw.daemon.reader.profileBytes(row.id, stored.id)!.bytes, { maxDecompressedBytes: 64 << 20 });
    assert.deepEqual(profile.sampleTypes.map((s) => s.type), ['inuse_objects', 'inuse_space']);
    const text = await hw.daemon.metrics.exposition();
    assert.match(text, /heapwatch_finding_open\{target="push:\{service_name=\\"checkout\\"\}",service="checkout",class="unclassified-growth",[^}]*function="main\.leakEntry"/);
  });
});
