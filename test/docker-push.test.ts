/**
 * The push variant of the compose setup (docker-compose.push.yml), checked
 * the way test/docker.test.ts checks the main one, without a Docker engine:
 * `docker-compose config` accepts it and it wires Alloy and a pyroscope-go
 * service to heapwatch's receivers; the heapwatch config passes check-config;
 * Alloy's config writes to the receivers' address.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { requireBinary } from './helpers/binaries.js';
import { CLI, ROOT } from './helpers/paths.js';

interface ComposeService {
  build?: string | { context?: string };
  image?: string;
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | { target?: number; published?: number | string; host_ip?: string })[];
  command?: string | string[];
  depends_on?: string[] | Record<string, unknown>;
}

const composeBin = requireBinary('docker-compose', 'apt-get install docker-compose (scripts/install-test-deps.sh)');

function composeConfig(): { services: Record<string, ComposeService> } {
  const r = spawnSync(composeBin, ['-f', 'docker-compose.push.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, COMPOSE_PROJECT_NAME: 'heapwatch-push-test' },
  });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, `docker-compose config failed:\n${r.stderr}`);
  return parse(r.stdout) as { services: Record<string, ComposeService> };
}

function mounts(s: ComposeService): { source: string; target: string }[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target ?? '' };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}

function dependsOn(s: ComposeService): string[] {
  const d = s.depends_on ?? [];
  return Array.isArray(d) ? d : Object.keys(d);
}

describe('docker-compose.push.yml', () => {
  const compose = composeConfig();
  const svc = (name: string): ComposeService => {
    const s = compose.services[name];
    assert.ok(s, `service ${name} is missing (have: ${Object.keys(compose.services).join(', ')})`);
    return s;
  };

  it('has heapwatch, Alloy and two leaking demo services', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['alloy', 'demo', 'demo-pyroscope-go', 'heapwatch']);
  });

  it('runs heapwatch on the push config and publishes the receivers on loopback only', () => {
    const hw = svc('heapwatch');
    assert.equal(mounts(hw).find((m) => m.target === '/etc/heapwatch/heapwatch.yaml')?.source, join(ROOT, 'config/docker/heapwatch-push.yaml'));
    const ports = JSON.stringify(hw.ports);
    assert.ok(ports.includes('4040') && ports.includes('9464'), ports);
    for (const p of hw.ports ?? []) {
      const ip = typeof p === 'string' ? p.split(':')[0] : p.host_ip;
      assert.equal(ip, '127.0.0.1', JSON.stringify(p));
    }
  });

  it('points Alloy at the demo and at the receivers', () => {
    const alloy = svc('alloy');
    assert.ok(mounts(alloy).some((m) => m.source === join(ROOT, 'config/alloy/config.alloy')));
    assert.deepEqual(dependsOn(alloy).sort(), ['demo', 'heapwatch']);
    const config = readFileSync(join(ROOT, 'config/alloy/config.alloy'), 'utf8');
    assert.match(config, /pyroscope\.write "heapwatch" \{\s*endpoint \{\s*url = "http:\/\/heapwatch:4040"/);
    assert.match(config, /forward_to\s*=\s*\[pyroscope\.write\.heapwatch\.receiver\]/);
    assert.match(config, /"__address__" = "demo:6060"/);
    assert.match(config, /profile\.memory \{\s*enabled = true/);
  });

  it('builds the pyroscope-go demo from its fixture and sends it to the receivers', () => {
    const d = svc('demo-pyroscope-go');
    const context = typeof d.build === 'string' ? d.build : d.build?.context;
    assert.equal(context, join(ROOT, 'test/fixtures/go/push-pyroscope-go'));
    assert.match([d.command ?? ''].flat().join(' '), /-server http:\/\/heapwatch:4040/);
    const dockerfile = readFileSync(join(ROOT, 'test/fixtures/go/push-pyroscope-go/Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM golang:1\.26/m);
    assert.match(dockerfile, /^USER 65534/m);
  });

  it('its heapwatch config passes check-config, with the receivers on port 4040', () => {
    const r = spawnSync(process.execPath, [CLI, 'check-config', join(ROOT, 'config/docker/heapwatch-push.yaml')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `check-config failed:\n${r.stderr}`);
    assert.match(r.stdout, /ok \(0 static target.*push receivers on 0\.0\.0\.0:4040\)/);
  });
});
