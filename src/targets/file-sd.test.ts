import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import type { HeapwatchError } from '../errors.js';
import { FileDiscovery } from './file-sd.js';

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('file_sd', () => {
  it('reads JSON and YAML files, follows changes, keeps the last good targets of a broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-sd-'));
    const json = join(dir, 'a.json');
    const yaml = join(dir, 'b.yml');
    writeFileSync(json, JSON.stringify([{ targets: ['10.0.0.1:6060'], labels: { service: 'pay' } }]));
    writeFileSync(yaml, '- targets: ["10.0.0.2:6060", "https://10.0.0.3/custom/heap"]\n');
    const config = parseConfig(`file_sd: [{ files: ["${dir}/*.json", "${dir}/*.yml"], refresh_interval: 1h, params: { gc: 1 } }]`, 'x.yml');
    let changes = 0;
    const errors: HeapwatchError[] = [];
    const sd = new FileDiscovery(config, { onChange: () => changes++, onError: (e) => errors.push(e) });
    await sd.start();
    try {
      const urls = (): string[] => sd.targets().map((t) => t.url).sort();
      assert.deepEqual(urls(), [
        'http://10.0.0.1:6060/debug/pprof/heap?gc=1',
        'http://10.0.0.2:6060/debug/pprof/heap?gc=1',
        'https://10.0.0.3/custom/heap?gc=1',
      ]);
      assert.equal(sd.targets().find((t) => t.url.includes('10.0.0.1'))!.labels.service, 'pay');
      assert.equal(sd.targets()[0]!.source.startsWith('file_sd:'), true);

      // A change is picked up by the watcher (written atomically, as tools do).
      const before = changes;
      writeFileSync(`${json}.tmp`, JSON.stringify([{ targets: ['10.0.0.9:6060'] }]));
      renameSync(`${json}.tmp`, json);
      await until('the watcher to see the change', () => changes > before && urls().includes('http://10.0.0.9:6060/debug/pprof/heap?gc=1'));

      // A broken file is reported, and its previous targets stay.
      writeFileSync(yaml, '- targets: [unclosed\n');
      sd.refresh();
      assert.ok(errors.some((e) => e.code === 'HW_ERR_SD_FILE_INVALID' && e.message.includes('b.yml')));
      assert.ok(urls().includes('http://10.0.0.2:6060/debug/pprof/heap?gc=1'));
    } finally {
      await sd.stop();
    }
  });
});
