import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { encodePushRequest } from '../../test/helpers/push-request.js';
import { HeapwatchError } from '../errors.js';
import { connectCode, decodePushRequest, decodePushRequestJson } from './connect.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof HeapwatchError, String(err));
    return err.code;
  }
}

describe('Connect PushRequest', () => {
  const raw = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
  const request = [{ labels: [['__name__', 'memory'], ['service_name', 'api']] as [string, string][], samples: [{ id: 'u1', raw }] }];

  it('decodes the binary form, skipping unknown fields', () => {
    const body = encodePushRequest(request);
    const withUnknown = new Uint8Array([...body, 0x48, 0x01]); // field 9, varint 1
    for (const b of [body, withUnknown]) {
      const series = decodePushRequest(b);
      assert.deepEqual(series.map((s) => s.labels), [[{ name: '__name__', value: 'memory' }, { name: 'service_name', value: 'api' }]]);
      assert.equal(series[0]!.samples[0]!.id, 'u1');
      assert.deepEqual([...series[0]!.samples[0]!.rawProfile], [...raw]);
    }
  });

  it('decodes the JSON form with lowerCamelCase or original field names', () => {
    const json = (sample: Record<string, string>): Uint8Array =>
      new TextEncoder().encode(JSON.stringify({ series: [{ labels: [{ name: 'service_name', value: 'api' }], samples: [sample] }] }));
    for (const sample of [{ rawProfile: base64Encode(raw), ID: 'u1' }, { raw_profile: base64Encode(raw, 'url'), ID: 'u1' }] as Record<string, string>[]) {
      const s = decodePushRequestJson(json(sample))[0]!;
      assert.deepEqual([...s.samples[0]!.rawProfile], [...raw]);
      assert.equal(s.samples[0]!.id, 'u1');
    }
  });

  it('refuses truncated, garbled and wrongly typed bodies with HW_ERR_PUSH_MALFORMED', () => {
    const body = encodePushRequest(request);
    for (let cut = 1; cut < body.length; cut += 3) assert.equal(codeOf(() => decodePushRequest(body.subarray(0, cut))), 'HW_ERR_PUSH_MALFORMED', `cut at ${cut}`);
    assert.equal(codeOf(() => decodePushRequest(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))), 'HW_ERR_PUSH_MALFORMED');
    // A label that is not UTF-8.
    const badUtf8 = encodePushRequest([{ labels: [['service_name', 'x']], samples: [] }]);
    badUtf8[badUtf8.length - 1] = 0xff;
    assert.equal(codeOf(() => decodePushRequest(badUtf8)), 'HW_ERR_PUSH_MALFORMED');
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
    for (const bad of ['{"series":[', '[]', { series: 'x' }, { series: [{ samples: [{ rawProfile: '***' }] }] }, { series: [{ labels: [{ name: 5 }] }] }]) {
      assert.equal(codeOf(() => decodePushRequestJson(enc(bad))), 'HW_ERR_PUSH_MALFORMED', JSON.stringify(bad));
    }
  });

  it('maps heapwatch codes to Connect codes', () => {
    assert.equal(connectCode('HW_ERR_PUSH_MALFORMED'), 'invalid_argument');
    assert.equal(connectCode('HW_ERR_PROFILE_MALFORMED'), 'invalid_argument');
    assert.equal(connectCode('HW_ERR_PUSH_UNAUTHORIZED'), 'unauthenticated');
    assert.equal(connectCode('HW_ERR_PUSH_RATE_LIMITED'), 'resource_exhausted');
    assert.equal(connectCode('HW_ERR_PUSH_TOO_MANY_TARGETS'), 'resource_exhausted');
    assert.equal(connectCode('HW_ERR_STORE_WRITE'), 'internal');
  });
});
