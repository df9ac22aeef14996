import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../targets/target.js';
import { TenantRateLimiter } from './rate-limit.js';
import { identityOf, PushedTargets, type RegistrySettings } from './registry.js';

const SETTINGS: RegistrySettings = {
  identityLabels: ['instance'],
  intervalMs: 15_000,
  downAfterMs: 60_000,
  forgetAfterMs: 3_600_000,
  maxTargets: 2,
  limits: { maxSamples: 10, maxLocations: 10, maxFunctions: 10 },
};

function registry(settings: Partial<RegistrySettings> = {}) {
  const events: string[] = [];
  const r = new PushedTargets(
    { ...SETTINGS, ...settings },
    {
      onAdded: (t: Target) => events.push(`added ${t.key}`),
      onDown: (t: Target) => events.push(`down ${t.key}`),
      onRemoved: (t: Target) => events.push(`removed ${t.key}`),
    },
  );
  return { r, events };
}

describe('pushed targets', () => {
  it('identifies a series by service_name and the identity labels only, canonically', () => {
    const a = identityOf({ service_name: 'api', instance: 'h:1', __session_id__: 's1', env: 'x' }, ['instance']);
    const b = identityOf({ env: 'y', __session_id__: 's2', instance: 'h:1', service_name: 'api' }, ['instance']);
    assert.equal(a.key, b.key);
    assert.equal(a.key, 'push:{instance="h:1",service_name="api"}');
    assert.equal(identityOf({ service_name: 'api', env: 'x' }, ['env', 'region']).key, 'push:{env="x",service_name="api"}');
    // Values are escaped, so no value can forge another identity.
    assert.notEqual(identityOf({ service_name: 'a",instance="b' }, ['instance']).key, identityOf({ service_name: 'a', instance: 'b' }, ['instance']).key);
    assert.equal(identityOf({}, []).labels.service_name, 'unknown_service');
  });

  it('makes each new series a target with source push, service and instance, and announces it once', () => {
    const { r, events } = registry();
    const t = r.ensure({ service_name: 'api', instance: 'h:1' }, 1000);
    assert.equal(r.ensure({ service_name: 'api', instance: 'h:1', other: 'z' }, 2000), t);
    assert.equal(t.source, 'push');
    assert.deepEqual(t.labels, { service_name: 'api', instance: 'h:1', service: 'api' });
    assert.equal(r.ensure({ service_name: 'web' }, 1000).labels.instance, 'push');
    assert.deepEqual(events, ['added push:{instance="h:1",service_name="api"}', 'added push:{service_name="web"}']);
  });

  it('admits known series at the cap and refuses new ones, counting those pending in the same request', () => {
    const { r } = registry();
    r.ensure({ service_name: 'a' }, 0);
    const pending = new Set<string>();
    const b = r.admits({ service_name: 'b' }, pending);
    assert.equal(b.ok, true);
    pending.add(b.key);
    assert.equal(r.admits({ service_name: 'c' }, pending).ok, false);
    assert.equal(r.admits({ service_name: 'a' }, pending).ok, true);
    assert.equal(r.admits({ service_name: 'b' }, pending).ok, true);
  });

  it('marks a silent target down after down_after and forgets it after forget_after, freeing its place', () => {
    const { r, events } = registry({ downAfterMs: 10_000, forgetAfterMs: 30_000, maxTargets: 1 });
    const t = r.ensure({ service_name: 'a' }, 0);
    r.record(t.key, 0, 5, { ok: true });
    assert.equal(r.status()[0]!.health, 'up');
    r.sweep(9_999);
    assert.equal(r.status()[0]!.health, 'up');
    r.sweep(10_000);
    assert.equal(r.status()[0]!.health, 'down');
    r.sweep(20_000);
    assert.equal(events.filter((e) => e.startsWith('down')).length, 1, 'down is announced once');
    assert.equal(r.admits({ service_name: 'b' }, new Set()).ok, false);
    r.sweep(30_000);
    assert.equal(r.size, 0);
    assert.equal(events.at(-1), `removed ${t.key}`);
    assert.equal(r.admits({ service_name: 'b' }, new Set()).ok, true);
  });

  it('records failures and tells a new process by its __session_id__', () => {
    const { r } = registry();
    const t = r.ensure({ service_name: 'a' }, 0);
    assert.equal(r.record(t.key, 1, 1, { ok: true }, 's1'), false);
    assert.equal(r.record(t.key, 2, 1, { ok: false, error: { code: 'HW_ERR_PROFILE_MALFORMED', message: 'x' } }, 's1'), false);
    const s = r.status()[0]!;
    assert.equal(s.failures, 1);
    assert.equal(s.lastError?.code, 'HW_ERR_PROFILE_MALFORMED');
    assert.equal(r.record(t.key, 3, 1, { ok: true }, 's2'), true);
    assert.equal(r.status()[0]!.lastError, null);
  });

  it("keeps each profile kind's session: the new process's goroutine series may arrive before its heap", () => {
    const { r } = registry();
    const t = r.ensure({ service_name: 'a' }, 0);
    r.record(t.key, 1, 1, { ok: true }, 's1', 'heap');
    r.record(t.key, 1, 1, { ok: true }, 's1', 'goroutine');
    assert.equal(r.isNewSession(t.key, 'goroutine', 's2'), true);
    assert.equal(r.record(t.key, 2, 1, { ok: true }, 's2', 'goroutine'), true, 'logged once, by the first kind that sees it');
    assert.equal(r.isNewSession(t.key, 'heap', 's2'), true, 'still new to the heap series: its epoch starts');
    assert.equal(r.record(t.key, 2, 1, { ok: true }, 's2', 'heap'), false, 'not logged twice');
    assert.equal(r.isNewSession(t.key, 'heap', 's2'), false);
    assert.equal(r.isNewSession(t.key, 'heap', undefined), false, 'no session label: nothing to tell');
    // A new process's first heap profile refused: its next one still opens the epoch.
    assert.equal(r.record(t.key, 3, 1, { ok: false, error: { code: 'HW_ERR_PROFILE_MALFORMED', message: 'x' } }, 's3', 'heap'), false);
    assert.equal(r.isNewSession(t.key, 'heap', 's3'), true);
  });
});

describe('tenant rate limit', () => {
  it('allows the burst, then the rate, per tenant', () => {
    const l = new TenantRateLimiter(2, 3);
    const taken = (tenant: string, at: number, n: number): number => Array.from({ length: n }, () => l.take(tenant, at)).filter(Boolean).length;
    assert.equal(taken('a', 0, 5), 3);
    assert.equal(taken('b', 0, 5), 3, 'another tenant has its own bucket');
    assert.equal(taken('a', 500, 5), 1, 'half a second at 2/s refills one');
    assert.equal(taken('a', 10_000, 10), 3, 'never more than the burst');
    l.configure(100, 1);
    assert.equal(taken('a', 20_000, 3), 1);
  });
});
