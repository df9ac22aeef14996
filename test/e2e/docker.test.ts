/**
 * The container setup as far as it can be checked without a Docker engine:
 * docker-compose.yml is valid for `docker-compose config` (Debian's v1) and
 * wires the five services together, the Dockerfiles keep their promises
 * (multi-stage Node 20, non-root, volume, health check), and the config baked
 * into the image passes the CLI's own check-config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { requireBinary } from '../helpers/binaries.js';
import { CLI, ROOT } from '../helpers/paths.js';

interface Mount {
  source: string;
  target: string;
}

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: number | string })[];
  environment?: Record<string, string> | string[];
  command?: string | string[];
  depends_on?: string[] | Record<string, unknown>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Short ("src:target[:mode]") or long ({source, target}) volume syntax. */
function mounts(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target ?? '' };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}

function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(file: string): { op: string; args: string }[] {
  const joined = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

const composeBin = requireBinary('docker-compose', 'apt-get install docker-compose (scripts/install-test-deps.sh)');

function composeConfig(): ComposeFile {
  const r = spawnSync(composeBin, ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // `config` needs no engine; a fixed project name keeps the output stable.
    env: { ...process.env, COMPOSE_PROJECT_NAME: 'heapwatch-test' },
  });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, `docker-compose config failed:\n${r.stderr}`);
  return parse(r.stdout) as ComposeFile;
}

describe('docker-compose.yml', () => {
  const compose = composeConfig();
  const svc = (name: string): ComposeService => {
    const s = compose.services[name];
    assert.ok(s, `service ${name} is missing (have: ${Object.keys(compose.services).join(', ')})`);
    return s;
  };

  it('has the five services', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['alertmanager', 'demo', 'grafana', 'heapwatch', 'prometheus']);
  });

  it('builds heapwatch from the repository and keeps its SQLite on a named volume', () => {
    const hw = svc('heapwatch');
    const context = typeof hw.build === 'string' ? hw.build : hw.build?.context;
    assert.equal(context?.replace(/\/$/, ''), ROOT.replace(/\/$/, ''));
    const data = mounts(hw).find((m) => m.target === '/var/lib/heapwatch');
    assert.ok(data, JSON.stringify(hw.volumes));
    assert.ok(compose.volumes && data.source in compose.volumes, `${data.source} is a named volume`);
    const config = mounts(hw).find((m) => m.target === '/etc/heapwatch/heapwatch.yaml');
    assert.equal(config?.source, join(ROOT, 'config/docker/heapwatch.yaml'));
    assert.ok(JSON.stringify(hw.ports).includes('9464'));
  });

  it('builds the leaking demo from the Go fixture', () => {
    const demo = svc('demo');
    const context = typeof demo.build === 'string' ? demo.build : demo.build?.context;
    assert.equal(context, join(ROOT, 'test/fixtures/go/scenarios'));
    const args = [demo.command ?? ''].flat().join(' ');
    assert.match(args, /-mode leak/);
    assert.match(args, /-addr 0\.0\.0\.0:6060/);
  });

  it('mounts the Prometheus config and alert rules', () => {
    const prom = mounts(svc('prometheus'));
    const alerts = prom.find((m) => m.source.endsWith('config/prometheus/alerts.yml') || (m.source.endsWith('config/prometheus') && m.target === '/etc/prometheus'));
    assert.ok(alerts, `alerts.yml is not mounted: ${JSON.stringify(prom)}`);
    assert.ok(prom.some((m) => m.target === '/etc/prometheus/prometheus.yml' || m.target === '/etc/prometheus'));
    assert.ok(JSON.stringify(svc('prometheus').ports).includes('9090'));
  });

  it('mounts the Alertmanager config', () => {
    const am = mounts(svc('alertmanager'));
    assert.ok(am.some((m) => m.source.endsWith('config/alertmanager/alertmanager.yml')), JSON.stringify(am));
    assert.ok(JSON.stringify(svc('alertmanager').ports).includes('9093'));
  });

  it('provisions Grafana with the dashboards and an anonymous viewer', () => {
    const g = svc('grafana');
    const m = mounts(g);
    assert.ok(m.some((x) => x.source.endsWith('config/grafana/provisioning') && x.target === '/etc/grafana/provisioning'), JSON.stringify(m));
    assert.ok(m.some((x) => x.source.endsWith('dashboards') && x.target === '/var/lib/grafana/dashboards'), JSON.stringify(m));
    const env = environment(g);
    assert.equal(String(env.GF_AUTH_ANONYMOUS_ENABLED), 'true');
    assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
    assert.ok(JSON.stringify(g.ports).includes('3000'));
  });
});

describe('Dockerfile', () => {
  const ins = instructions(join(ROOT, 'Dockerfile'));
  const all = (op: string): string[] => ins.filter((i) => i.op === op).map((i) => i.args);

  it('has two stages on Node 20: a build image and a slim runtime', () => {
    const from = all('FROM');
    assert.equal(from.length, 2, from.join(' | '));
    for (const f of from) assert.match(f, /^node:20[-.\w]*(\s|$)/, f);
    assert.match(from[1]!, /^node:20[-.\w]*slim/);
  });

  it('installs, builds, and prunes the dev dependencies', () => {
    const runs = all('RUN').join('\n');
    assert.match(runs, /npm ci/);
    assert.match(runs, /npm run build/);
    assert.match(runs, /npm prune --omit=dev/);
  });

  it('runs as a non-root user', () => {
    const users = all('USER');
    assert.ok(users.length > 0, 'no USER instruction');
    const last = users.at(-1)!.split(':')[0]!;
    assert.ok(last !== 'root' && last !== '0', `USER ${last}`);
  });

  it('declares the data volume, the port, and a health check on /healthz', () => {
    assert.ok(all('VOLUME').some((v) => /(^|["\s[])\/var\/lib\/heapwatch(["\s\]]|$)/.test(v)), all('VOLUME').join(' | '));
    assert.ok(all('EXPOSE').some((e) => e.split(/\s+/).includes('9464')));
    const hc = all('HEALTHCHECK');
    assert.equal(hc.length, 1);
    assert.match(hc[0]!, /\/healthz/);
    assert.match(hc[0]!, /\bnode\b/, 'slim has no curl: the check uses node');
  });

  it('starts the daemon on the baked-in config', () => {
    const start = [...all('ENTRYPOINT'), ...all('CMD')].join(' ');
    assert.match(start, /dist\/src\/cli\/main\.js/);
    assert.match(start, /\/etc\/heapwatch\/heapwatch\.yaml/);
  });

  it('the demo image builds with the golang image and leaks on 0.0.0.0:6060', () => {
    const demo = instructions(join(ROOT, 'test/fixtures/go/scenarios/Dockerfile'));
    assert.ok(demo.some((i) => i.op === 'FROM' && /^golang:/.test(i.args)));
    const cmd = demo.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT').map((i) => i.args).join(' ');
    assert.match(cmd, /0\.0\.0\.0:6060/);
    assert.match(cmd, /"leak"/);
  });
});

describe('config/docker/heapwatch.yaml', () => {
  const file = join(ROOT, 'config/docker/heapwatch.yaml');

  it('passes check-config', () => {
    const r = spawnSync(process.execPath, [CLI, 'check-config', file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `check-config failed:\n${r.stderr}`);
    assert.match(r.stdout, /ok \(1 static target/);
  });

  it('listens on all interfaces, stores in the volume, and scrapes the demo', () => {
    const c = parse(readFileSync(file, 'utf8')) as {
      api: { listen: string };
      storage: { path: string };
      targets: { url: string; params?: Record<string, unknown>; labels?: Record<string, string> }[];
      detect?: Record<string, unknown>;
    };
    assert.equal(c.api.listen, '0.0.0.0:9464');
    assert.match(c.storage.path, /^\/var\/lib\/heapwatch\//);
    assert.equal(c.targets[0]?.url, 'http://demo:6060/debug/pprof/heap');
    assert.equal(String(c.targets[0]?.params?.gc), '1');
    assert.equal(c.targets[0]?.labels?.service, 'demo');
    assert.ok(c.detect, 'a detect: block scaled for the demo');
  });
});
