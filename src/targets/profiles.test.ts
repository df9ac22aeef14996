/** Profile kinds per target: config keys, discovery labels, and the sibling endpoint of each kind. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { HeapwatchError } from '../errors.js';
import { profileUrl, staticTargets } from './build.js';
import { parseTargetGroups, targetsFromGroups } from './file-sd.js';

describe('profile kinds per target', () => {
  it('defaults to heap only with a 10-minute goroutineleak interval; per-target settings win over global ones', () => {
    const config = parseConfig(
      `global: { scrape_interval: 30s }
targets:
  - url: http://127.0.0.1:6060/debug/pprof/heap
  - url: http://127.0.0.1:6061/debug/pprof/heap
    profiles: [heap, goroutine, goroutineleak]
    goroutineleak_interval: 30m
  - url: http://127.0.0.1:6062/debug/pprof/heap
    interval: 20m
    profiles: [heap, goroutineleak]
`,
      'inline.yml',
    );
    const [plain, all, slow] = staticTargets(config);
    assert.deepEqual(plain!.profiles, ['heap']);
    assert.equal(plain!.goroutineleakIntervalMs, 600_000);
    assert.deepEqual(all!.profiles, ['heap', 'goroutine', 'goroutineleak']);
    assert.equal(all!.goroutineleakIntervalMs, 1_800_000);
    // Never more often than the heap itself.
    assert.equal(slow!.goroutineleakIntervalMs, 1_200_000);
  });

  it('rejects unknown kinds, duplicates and a list without heap, naming the key', () => {
    const bad = (yaml: string, why: RegExp): void =>
      assert.throws(
        () => parseConfig(yaml, 'bad.yml'),
        (e: unknown) => e instanceof HeapwatchError && e.code === 'HW_ERR_CONFIG_INVALID' && why.test(e.message),
      );
    bad('global: { profiles: [heap, cpu] }', /bad\.yml:1: global\.profiles\[1\]: .*"heap".*"goroutine".*"goroutineleak"/);
    bad('global: { profiles: [heap, heap] }', /global\.profiles: expected each profile kind once/);
    bad('targets: [{ url: "http://h:1/debug/pprof/heap", profiles: [goroutine] }]', /targets\[0\]\.profiles: expected heap among the profile kinds/);
    bad('global: { goroutineleak_interval: 500ms }', /global\.goroutineleak_interval: expected at least 1s/);
  });

  it('reads a discovery group\'s __profiles__ label, drops it from the labels, and rejects a bad one', () => {
    const config = parseConfig('file_sd: [{ files: ["/x/*.json"], profiles: [heap, goroutine] }]', 'x.yml');
    const block = config.file_sd[0]!;
    const groups = parseTargetGroups(
      JSON.stringify([
        { targets: ['10.0.0.1:6060'], labels: { service: 'pay' } },
        { targets: ['10.0.0.2:6060'], labels: { service: 'ship', __profiles__: 'heap, goroutine, goroutineleak' } },
      ]),
      'a.json',
    );
    const [pay, ship] = targetsFromGroups(groups, block, config.global, 'file_sd:a.json');
    assert.deepEqual(pay!.profiles, ['heap', 'goroutine']);
    assert.deepEqual(ship!.profiles, ['heap', 'goroutine', 'goroutineleak']);
    assert.deepEqual(ship!.labels, { service: 'ship', instance: '10.0.0.2:6060' });
    const broken = parseTargetGroups(JSON.stringify([{ targets: ['10.0.0.3:6060'], labels: { __profiles__: 'goroutine' } }]), 'b.json');
    assert.throws(
      () => targetsFromGroups(broken, block, config.global, 'file_sd:b.json'),
      (e: unknown) => e instanceof HeapwatchError && e.code === 'HW_ERR_SD_FILE_INVALID' && /file_sd:b\.json: \[0\]\.labels\.__profiles__: expected heap/.test(e.message),
    );
  });

  it("reads a discovery group's __detect_warmup__ label over the block's detect settings, drops it from the labels, and rejects a bad one", () => {
    const config = parseConfig('file_sd: [{ files: ["/x/*.json"], detect: { warmup: 2h, window: 3h } }]', 'x.yml');
    const block = config.file_sd[0]!;
    const groups = parseTargetGroups(
      JSON.stringify([
        { targets: ['10.0.0.1:6060'], labels: { service: 'gateway', __detect_warmup__: '0s' } },
        { targets: ['10.0.0.2:6060'], labels: { service: 'search' } },
      ]),
      'a.json',
    );
    const [gateway, search] = targetsFromGroups(groups, block, config.global, 'file_sd:a.json');
    assert.deepEqual(gateway!.detect, { warmup: 0, window: 3 * 3_600_000 });
    assert.deepEqual(search!.detect, { warmup: 2 * 3_600_000, window: 3 * 3_600_000 });
    assert.deepEqual(gateway!.labels, { service: 'gateway', instance: '10.0.0.1:6060' });
    const broken = parseTargetGroups(JSON.stringify([{ targets: ['10.0.0.3:6060'], labels: { __detect_warmup__: 'soon' } }]), 'b.json');
    assert.throws(
      () => targetsFromGroups(broken, block, config.global, 'file_sd:b.json'),
      (e: unknown) => e instanceof HeapwatchError && e.code === 'HW_ERR_SD_FILE_INVALID' && /file_sd:b\.json: \[0\]\.labels\.__detect_warmup__: expected a duration like "0s", "15m" or "1h", got "soon"/.test(e.message),
    );
  });

  it('fetches each kind from the sibling pprof endpoint, keeping the query', () => {
    assert.equal(profileUrl('http://10.0.0.1:6060/debug/pprof/heap?token=abc&gc=1', 'goroutine'), 'http://10.0.0.1:6060/debug/pprof/goroutine?token=abc&gc=1');
    assert.equal(profileUrl('https://h/custom/heap', 'goroutineleak'), 'https://h/custom/goroutineleak');
    assert.equal(profileUrl('http://h:1/debug/pprof/heap', 'heap'), 'http://h:1/debug/pprof/heap');
  });
});
