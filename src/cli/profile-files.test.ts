/** Which files `analyze` and `import` take from a folder: profiles under any name, gzipped or not, and nothing else. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { CLI, FIXTURES } from '../../test/helpers/paths.js';
import { beginsAsProfile, collectProfileFiles, holdsProfile } from './profile-files.js';

/** Real recorded profiles: a heap series of the corpus, and a goroutine profile. */
const SERIES = `${FIXTURES}corpus/leak-sonic-string-realtime-2min/profiles`;
const heapFiles = readdirSync(SERIES).sort().map((f) => join(SERIES, f));
const goroutineDir = `${FIXTURES}goroutine-corpus`;

/** The first profile of the goroutine corpus's first series (a goroutine or goroutineleak profile). */
function firstGoroutineProfile(dir: string): string {
  const series = readdirSync(dir).sort()[0]!;
  return join(dir, series, 'profiles', readdirSync(join(dir, series, 'profiles')).sort()[0]!);
}

describe('profile files', () => {
  it('a folder yields every profile whatever its name, gzipped or raw, in natural order, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-profile-files-'));
    const gz = heapFiles.slice(0, 6).map((f) => readFileSync(f));
    // As users keep them: curl -o, go tool pprof's names, raw protobuf, a bare .gz.
    writeFileSync(join(dir, 'heap-1.out'), gz[0]!);
    writeFileSync(join(dir, 'heap-2.pprof'), gz[1]!);
    writeFileSync(join(dir, 'heap-3.prof'), gunzipSync(gz[2]!));
    writeFileSync(join(dir, 'heap-10.gz'), gz[3]!);
    writeFileSync(join(dir, 'heap-11'), gz[4]!);
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'heap-12.pb'), gunzipSync(gz[5]!));
    // Beside them: what is no profile.
    writeFileSync(join(dir, 'manifest.json'), '{"scenario": "x"}\n');
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    writeFileSync(join(dir, 'blank-first-line.txt'), '\n\nheap profile notes\n');
    writeFileSync(join(dir, 'scrape.log.gz'), gzipSync('level=info msg="scraped"\n'));
    writeFileSync(join(dir, 'empty'), '');
    const found = collectProfileFiles([dir]).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(found, ['heap-1.out', 'heap-2.pprof', 'heap-3.prof', 'heap-10.gz', 'heap-11', 'more/heap-12.pb']);
  });

  it('a file named on the command line is taken whatever it holds (its decode then says what is wrong)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-profile-named-'));
    writeFileSync(join(dir, 'notes.txt'), 'not a profile\n');
    assert.deepEqual(collectProfileFiles([join(dir, 'notes.txt')]), [join(dir, 'notes.txt')]);
    const r = spawnSync(process.execPath, [CLI, 'analyze', join(dir, 'notes.txt')], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /HW_ERR_NOT_PPROF/);
    assert.match(r.stderr, /notes\.txt/);
  });

  it('goroutine profiles begin as profiles too; text, JSON and empty input do not', () => {
    assert.equal(holdsProfile(firstGoroutineProfile(goroutineDir)), true);
    assert.equal(beginsAsProfile(gunzipSync(readFileSync(heapFiles[0]!))), true);
    for (const text of ['\n\nx', '{"a":1}', 'heap profile: 1: 2 [3: 4] @ heap/1048576', '']) assert.equal(beginsAsProfile(Buffer.from(text)), false, JSON.stringify(text));
  });

  it('analyze reads a folder of profiles under other names as it reads the same .pb.gz files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-profile-renamed-'));
    heapFiles.forEach((f, i) => writeFileSync(join(dir, `heap.${String(i + 1).padStart(3, '0')}.pprof`), readFileSync(f)));
    const renamed = spawnSync(process.execPath, [CLI, 'analyze', '--json', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const original = spawnSync(process.execPath, [CLI, 'analyze', '--json', SERIES], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(renamed.status, 0, renamed.stderr);
    const findings = (out: string): string[] => (JSON.parse(out) as { findings: { class: string; severity: string }[] }).findings.map((f) => `${f.class} ${f.severity}`);
    assert.deepEqual(findings(renamed.stdout), findings(original.stdout));
    assert.ok(findings(renamed.stdout).includes('sonic-string-pinning warning'), renamed.stdout.slice(0, 400));
  });

  it("a folder of Go's text profiles (?debug=1) gets the error that says how to fetch the binary form", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-profile-text-'));
    writeFileSync(join(dir, 'heap.txt'), readFileSync(`${FIXTURES}profiles/text/heap-debug1.txt`));
    writeFileSync(join(dir, 'notes.txt'), 'not a profile\n');
    assert.deepEqual(collectProfileFiles([dir]), [join(dir, 'heap.txt')]);
    const r = spawnSync(process.execPath, [CLI, 'analyze', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /HW_ERR_NOT_PPROF: .*heap\.txt.*binary form, served without debug \(\/debug\/pprof\/heap\)/);
  });

  it('a folder with no profile in it is an error that says what was looked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-profile-none-'));
    writeFileSync(join(dir, 'manifest.json'), '{}\n');
    const r = spawnSync(process.execPath, [CLI, 'analyze', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`HW_ERR_BAD_REQUEST.*no pprof profiles \\(gzipped or not, under any file name\\) under .*${basename(dir)}`));
  });
});
