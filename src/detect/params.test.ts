import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { DEFAULT_DETECT_PARAMS, detectParamsFrom } from './params.js';

describe('detect params', () => {
  it('the config defaults are the engine defaults (one source for both)', () => {
    assert.deepEqual(detectParamsFrom(parseConfig('{}', 'x.yml').detect), DEFAULT_DETECT_PARAMS);
  });
  it('the config scales them down', () => {
    const p = detectParamsFrom(parseConfig('detect: { window: 2m, min_window: 20s, for: 5s, min_points: 8 }', 'x.yml').detect);
    assert.equal(p.windowMs, 120_000);
    assert.equal(p.minWindowMs, 20_000);
    assert.equal(p.forMs, 5000);
    assert.equal(p.minPoints, 8);
  });
});
