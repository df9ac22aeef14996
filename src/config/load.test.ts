import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { HeapwatchError } from '../errors.js';
import { loadConfigFile, parseConfig } from './load.js';
import { parseBytes, parseDuration } from './units.js';

// Compiled to dist/src/config; testdata stays in src/config.
const TESTDATA = fileURLToPath(new URL('../../../src/config/testdata/', import.meta.url));

/** Each rejected case is a file; the message must name file, line, path and what was expected. */
const expectedErrors: Record<string, RegExp> = {
  'unknown-key.bad.yml': /unknown-key\.bad\.yml:3: global\.scrape_timout: unknown key "scrape_timout"/,
  'interval-negative.bad.yml': /interval-negative\.bad\.yml:2: global\.scrape_interval: expected a positive duration like "15s".*got "-5s"/,
  'target-no-url.bad.yml': /target-no-url\.bad\.yml:2: targets\[0\]\.url: expected string \(missing\)/,
  'target-bad-url.bad.yml': /target-bad-url\.bad\.yml:2: targets\[0\]\.url: expected an absolute http:\/\/ or https:\/\/ URL/,
  'bad-label-name.bad.yml': /bad-label-name\.bad\.yml:3: targets\[0\]\.labels.*expected a Prometheus label name/,
  'both-tokens.bad.yml': /both-tokens\.bad\.yml:2: targets\[0\]: set bearer_token or bearer_token_file, not both/,
  'shard-out-of-range.bad.yml': /shard-out-of-range\.bad\.yml:1: shard: expected index < count/,
  'yaml-syntax.bad.yml': /yaml-syntax\.bad\.yml:\d+:\d+: YAML syntax/,
  'wrong-type.bad.yml': /wrong-type\.bad\.yml:2: global\.max_concurrent_scrapes: expected number, got string "many"/,
  'bad-size.bad.yml': /bad-size\.bad\.yml:2: global\.max_body_bytes: expected a positive size like "64MiB"/,
  'bad-log-level.bad.yml': /bad-log-level\.bad\.yml:1: log\.level: expected one of "trace", "debug"/,
  'short-token.bad.yml': /short-token\.bad\.yml:1: api\.auth_token: expected at least 16 characters/,
  'interval-subsecond.bad.yml': /interval-subsecond\.bad\.yml:3: targets\[0\]\.interval: expected at least 1s/,
  'yaml-aliases.bad.yml': /yaml-aliases\.bad\.yml: YAML: too many alias references/,
  'decode-budget.bad.yml': /decode-budget\.bad\.yml:2: global: expected max_decompressed_bytes <= max_decoding_bytes/,
  'limit-zero.bad.yml': /limit-zero\.bad\.yml:2: global\.max_functions: .*>=1/,
  // Go serves a delta for ?seconds= (pprof/delta-profile.ts): refused before any scrape.
  'delta-seconds-param.bad.yml': /delta-seconds-param\.bad\.yml:3: targets\[0\]\.params\.seconds: "seconds" makes Go serve the difference of two profiles/,
  'delta-seconds-url.bad.yml': /delta-seconds-url\.bad\.yml:2: targets\[0\]\.url: "seconds" makes Go serve the difference of two profiles/,
  // A target's detect block is as strict as the global one, and read over it.
  'detect-unknown-key.bad.yml': /detect-unknown-key\.bad\.yml:4: targets\[0\]\.detect\.warm_up: unknown key "warm_up"/,
  'detect-min-window.bad.yml': /detect-min-window\.bad\.yml:6: targets\[0\]\.detect\.window: expected min_window <= window \(with the global detect block/,
  'delta-seconds-file-sd.bad.yml': /delta-seconds-file-sd\.bad\.yml:\d: file_sd\[0\]\.params\.seconds: "seconds" makes Go serve/,
};

describe('config', () => {
  const files = readdirSync(TESTDATA);

  it('has an expectation for every bad file and a file for every expectation', () => {
    assert.deepEqual(files.filter((f) => f.endsWith('.bad.yml')).sort(), Object.keys(expectedErrors).sort());
  });

  for (const [file, expected] of Object.entries(expectedErrors)) {
    it(`rejects ${file}`, () => {
      assert.throws(
        () => loadConfigFile(TESTDATA + file),
        (err: unknown) => {
          assert.ok(err instanceof HeapwatchError);
          assert.equal(err.code, 'HW_ERR_CONFIG_INVALID');
          assert.match(err.message, expected);
          return true;
        },
      );
    });
  }

  for (const file of files.filter((f) => f.endsWith('.good.yml'))) {
    it(`accepts ${file}`, () => {
      const config = loadConfigFile(TESTDATA + file);
      assert.ok(Object.isFrozen(config));
      assert.ok(config.targets.length >= 1);
    });
  }

  it('fills defaults from one place', () => {
    const c = parseConfig('targets: []', 'inline.yml');
    assert.equal(c.global.scrape_interval, 60_000);
    assert.equal(c.global.scrape_timeout, 10_000);
    assert.equal(c.global.max_body_bytes, 64 * 1024 ** 2);
    assert.equal(c.storage.path, './data/heapwatch.db');
    assert.equal(c.api.listen, '127.0.0.1:9464');
    assert.deepEqual(c.shard, { index: 0, count: 1 });
  });

  it('reads the full example with every per-target setting', () => {
    const c = loadConfigFile(`${TESTDATA}full.good.yml`);
    const t = c.targets[0]!;
    assert.equal(t.interval, 60_000);
    assert.deepEqual(t.params, { gc: '1' });
    assert.equal(t.tls?.ca_file, '/etc/ssl/internal-ca.pem');
    assert.equal(c.file_sd[0]!.refresh_interval, 60_000);
    assert.equal(c.global.max_decompressed_bytes, 256 * 1024 ** 2);
    assert.equal(c.global.max_functions, 50_000);
    assert.deepEqual(c.targets[1]!.secret_params, ['token']);
    assert.equal(c.targets[1]!.max_functions, 20_000);
    // Detector settings per target and per discovery block, in the global block's units.
    assert.equal(c.targets[0]!.detect, undefined);
    assert.deepEqual(c.targets[1]!.detect, { warmup: 0, window: 3 * 3_600_000 });
    assert.deepEqual(c.file_sd[0]!.detect, { warmup: 3 * 3_600_000, horizons: [12 * 3_600_000, 24 * 3_600_000] });
  });

  it('has per-profile limits by default that fit real profiles and refuse a 10^6-function one', () => {
    const c = parseConfig('{}', 'inline.yml');
    assert.equal(c.global.max_decompressed_bytes, 64 * 1024 ** 2);
    assert.equal(c.global.max_decoding_bytes, 128 * 1024 ** 2);
    assert.deepEqual([c.global.max_samples, c.global.max_locations, c.global.max_functions], [500_000, 500_000, 100_000]);
  });

  it('reports a missing file with its own code', () => {
    assert.throws(() => loadConfigFile(`${TESTDATA}nope.yml`), { code: 'HW_ERR_CONFIG_READ' });
  });
});

describe('units', () => {
  it('parses Prometheus durations', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('15s'), 15_000);
    assert.equal(parseDuration('1.5h'), undefined);
    assert.equal(parseDuration('10'), undefined);
  });
  it('parses byte sizes', () => {
    assert.equal(parseBytes('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseBytes('10MB'), 10_000_000);
    assert.equal(parseBytes(1024), 1024);
    assert.equal(parseBytes('lots'), undefined);
    assert.equal(parseBytes(-1), undefined);
  });
});
