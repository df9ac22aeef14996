import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { parseConfig } from '../config/load.js';

function error(yaml: string): string {
  try {
    parseConfig(yaml, 'push.yml');
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof HeapwatchError);
    assert.equal(err.code, 'HW_ERR_CONFIG_INVALID');
    return err.message;
  }
}

describe('push config', () => {
  it('is off by default, with defaults from one place', () => {
    const c = parseConfig('targets: []', 'inline.yml');
    assert.equal(c.push.enabled, false);
    assert.equal(c.push.listen, undefined);
    assert.deepEqual(c.push.identity_labels, ['instance']);
    assert.equal(c.push.interval, 15_000);
    assert.equal(c.push.down_after, 60_000);
    assert.equal(c.push.forget_after, 3_600_000);
    assert.equal(c.push.max_targets, 10_000);
    assert.deepEqual(c.push.rate_limit, { requests_per_second: 100, burst: 200 });
  });

  it('takes a full block', () => {
    const c = parseConfig(
      'push: { enabled: true, listen: "0.0.0.0:4040", auth_token: "0123456789abcdef", basic_auth: { username: alloy, password: pw }, identity_labels: [instance, namespace], interval: 30s, down_after: 2m, forget_after: 6h, max_targets: 50, rate_limit: { requests_per_second: 5, burst: 10 } }',
      'inline.yml',
    );
    assert.equal(c.push.listen, '0.0.0.0:4040');
    assert.deepEqual(c.push.identity_labels, ['instance', 'namespace']);
    assert.equal(c.push.forget_after, 6 * 3_600_000);
  });

  it('names the key path and what was expected for each mistake', () => {
    assert.match(error('push:\n  enabeld: true\n'), /push\.yml:2: push\.enabeld: unknown key/);
    assert.match(error('push:\n  auth_token: short\n'), /push\.auth_token: expected at least 16 characters/);
    assert.match(error('push:\n  listen: nowhere\n'), /push\.listen: expected host:port/);
    assert.match(error('push:\n  down_after: 2h\n'), /push: expected down_after <= forget_after/);
    assert.match(error('push:\n  basic_auth: { username: a }\n'), /push\.basic_auth: set password or password_file/);
    assert.match(error('push:\n  identity_labels: ["bad-name"]\n'), /push\.identity_labels\[0\]: expected a label name/);
    assert.match(error('push:\n  rate_limit: { requests_per_second: 0 }\n'), /push\.rate_limit\.requests_per_second/);
  });
});
