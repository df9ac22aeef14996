import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigFile } from './load.js';

function load(yaml: string): ReturnType<typeof loadConfigFile> {
  const file = join(mkdtempSync(join(tmpdir(), 'hw-cfg-')), 'c.yaml');
  writeFileSync(file, yaml);
  return loadConfigFile(file);
}

describe('api.external_url', () => {
  it('is optional and takes an http(s) URL, with or without a path', () => {
    assert.equal(load('api: {}\n').api.external_url, undefined);
    assert.equal(load('api:\n  external_url: https://heapwatch.example.com\n').api.external_url, 'https://heapwatch.example.com');
    assert.equal(load('api:\n  external_url: http://10.0.0.1:9464/heapwatch/\n').api.external_url, 'http://10.0.0.1:9464/heapwatch/');
  });

  it('refuses anything that is not an http(s) URL, naming the key', () => {
    for (const bad of ['javascript:alert(1)', 'heapwatch.example.com', 'https://a b', 'ftp://x']) {
      assert.throws(() => load(`api:\n  external_url: "${bad}"\n`), (e: Error & { code?: string }) => e.code === 'HW_ERR_CONFIG_INVALID' && /api\.external_url/.test(e.message), bad);
    }
  });
});
