/**
 * The command line as a function call (no subprocess): parsing, output and
 * exit codes of `top`, a usage error and a user error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILES } from '../../test/helpers/paths.js';
import { runCli } from './program.js';

async function run(...args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['node', 'heapwatch', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('heapwatch command line', () => {
  it('top prints the top functions of a profile, as many as -n says', async () => {
    const r = await run('top', `${PROFILES}grower.pb.gz`, '-n', '3');
    assert.equal(r.code, undefined, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^Showing top 3 of \d+ functions, inuse_space total /);
    assert.match(lines[1]!, /flat\s+flat%\s+sum%\s+cum\s+cum%\s+function/);
    assert.equal(lines.length, 5);
  });

  it('top --json takes the sample index and covers every function', async () => {
    const r = await run('top', `${PROFILES}grower.pb.gz`, '--json', '-s', 'alloc_objects');
    assert.equal(r.code, undefined, r.stderr);
    const report = JSON.parse(r.stdout) as { sample_index: string; total: number; functions: { name: string; flat: number }[] };
    assert.equal(report.sample_index, 'alloc_objects');
    assert.ok(report.functions.length > 3);
    assert.equal(report.functions.reduce((s, f) => s + f.flat, 0), report.total);
  });

  it('exits 2 on a usage error, and 1 with the code on a user error', async () => {
    const usage = await run('top', `${PROFILES}grower.pb.gz`, '-s', 'cpu');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /option '-s, --sample-index <index>' argument 'cpu' is invalid/);
    const missing = await run('top', `${PROFILES}no-such.pb.gz`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^heapwatch: HW_ERR_BAD_REQUEST: bad request: cannot read .*no-such\.pb\.gz: no such file\n$/);
  });
});
