import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { labelRecord, parseAppName } from './labels.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof HeapwatchError, String(err));
    return err.code;
  }
}

describe('pushed labels', () => {
  it("parses pyroscope-go's name=app{labels}: the app is service_name, values trimmed", () => {
    const name = 'checkout{__session_id__=77e425ea48b3919f,env=test,otel.scope.name=com.grafana.pyroscope/godeltaprof, region = eu-1 }';
    assert.deepEqual(parseAppName(name), {
      service_name: 'checkout',
      __session_id__: '77e425ea48b3919f',
      env: 'test',
      'otel.scope.name': 'com.grafana.pyroscope/godeltaprof',
      region: 'eu-1',
    });
    assert.deepEqual(parseAppName('plain.app'), { service_name: 'plain.app' });
    assert.deepEqual(parseAppName('app{}'), { service_name: 'app' });
    // The app name wins over a service_name tag, as in Pyroscope.
    assert.deepEqual(parseAppName('app{service_name=other}'), { service_name: 'app' });
  });

  it('refuses malformed names and hostile labels with HW_ERR_PUSH_MALFORMED', () => {
    for (const bad of ['', '{env=x}', 'app{env=x', 'app{env}', 'app{bad-name=x}', 'app{env=a\u001b[2Jb}', 'app{x=\u0000}', `app{${'k'.repeat(300)}=v}`, `app{k=${'v'.repeat(2000)}}`, 'app{a=1,a=2}']) {
      assert.equal(codeOf(() => parseAppName(bad)), 'HW_ERR_PUSH_MALFORMED', JSON.stringify(bad));
    }
    const many = Array.from({ length: 70 }, (_, i) => ({ name: `l${i}`, value: 'v' }));
    assert.equal(codeOf(() => labelRecord(many)), 'HW_ERR_PUSH_MALFORMED');
  });

  it('keeps unusual but harmless values as they are (quotes, braces, unicode)', () => {
    const r = labelRecord([
      { name: 'service_name', value: 'a"b}c{' },
      { name: 'instance', value: 'ünïcode ✓ 10.0.0.1:80' },
      { name: '__proto__', value: 'x' },
    ]);
    assert.equal(r.service_name, 'a"b}c{');
    assert.equal(r.instance, 'ünïcode ✓ 10.0.0.1:80');
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
  });
});
