/** Targets from config: per-target limits and detect settings over global ones, and credentials kept out of the URL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { staticTargets } from './build.js';

describe('buildTarget', () => {
  const config = parseConfig(
    `global: { max_functions: 5000 }
targets:
  - url: http://127.0.0.1:6060/debug/pprof/heap
  - url: http://127.0.0.1:6061/debug/pprof/heap
    max_functions: 10
    max_samples: 20
    detect: { warmup: 0s, min_growth_bytes: 8MiB }
  - url: http://ops:s3cr3t-pw@127.0.0.1:6062/debug/pprof/heap?token=abc123&gc=1
    secret_params: [token]
`,
    'inline.yml',
  );
  const [plain, limited, secret] = staticTargets(config);

  it('takes per-target limits over the global ones, and global ones over the defaults', () => {
    assert.deepEqual(plain!.limits, { maxSamples: 500_000, maxLocations: 500_000, maxFunctions: 5000 });
    assert.deepEqual(limited!.limits, { maxSamples: 20, maxLocations: 500_000, maxFunctions: 10 });
  });

  it("carries a target's own detect settings, and none where it sets none (the global block applies: pipeline/detector.ts)", () => {
    assert.deepEqual(limited!.detect, { warmup: 0, min_growth_bytes: 8 * 1024 ** 2 });
    assert.equal(plain!.detect, undefined);
    assert.ok(!('detect' in plain!), 'no detect key, so an unchanged target compares equal on reload (scrape/manager.ts)');
  });

  it('moves URL userinfo into basic auth and redacts secret_params in the identity, not in what is fetched', () => {
    assert.deepEqual(secret!.auth, { kind: 'basic', username: 'ops', password: 's3cr3t-pw' });
    assert.equal(secret!.key, 'http://127.0.0.1:6062/debug/pprof/heap?token=%3Credacted%3E&gc=1');
    assert.equal(secret!.url, secret!.key);
    assert.equal(secret!.fetchUrl, 'http://127.0.0.1:6062/debug/pprof/heap?token=abc123&gc=1');
    assert.equal(secret!.labels.instance, '127.0.0.1:6062');
  });
});
