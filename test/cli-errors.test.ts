/**
 * A new user's mistakes: every one gets a message naming the cause and a
 * documented exit code, never a stack trace. check-config finds what would
 * fail at run time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { CLI, PROFILES } from './helpers/paths.js';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** No stack frames, and the expected code. */
function assertUserError(r: { status: number | null; stderr: string }, status: number, message: RegExp): void {
  assert.equal(r.status, status, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `a stack trace:\n${r.stderr}`);
}

describe('CLI errors and check-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-cli-err-'));
  let taken: Server;
  let takenPort = 0;

  before(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((r) => taken.close(() => r()));
  });

  const config = (name: string, body: object | string): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof body === 'string' ? body : stringify(body));
    return path;
  };

  it('top on a missing file or a folder', () => {
    assertUserError(run('top', join(dir, 'nope.pb.gz')), 1, /HW_ERR_BAD_REQUEST: .*nope\.pb\.gz: no such file/);
    assertUserError(run('top', dir), 1, /HW_ERR_BAD_REQUEST: .*is a directory/);
  });

  it('diff -o into a folder that does not exist', () => {
    const p = join(PROFILES, 'grower.pb.gz');
    assertUserError(run('diff', p, p, '-o', join(dir, 'missing', 'out.pb.gz')), 1, /HW_ERR_BAD_REQUEST: .*cannot write .*missing\/out\.pb\.gz: no such file or directory/);
  });

  it('diff names the file that is no profile, whichever side it is on', () => {
    const p = join(PROFILES, 'grower.pb.gz');
    const notProfile = config('notes.txt', 'not a profile\n');
    assertUserError(run('diff', notProfile, p), 1, /HW_ERR_NOT_PPROF: .*notes\.txt: body starts with text "not a profile"/);
    assertUserError(run('diff', p, notProfile), 1, /HW_ERR_NOT_PPROF: .*notes\.txt: body starts with text "not a profile"/);
  });

  it('usage errors exit 2', () => {
    assertUserError(run('top'), 2, /missing required argument/);
    assertUserError(run('frobnicate'), 2, /unknown command/);
  });

  it('run on a port that is taken', () => {
    const path = config('taken.yml', { storage: { path: join(dir, 'a.db') }, api: { listen: `127.0.0.1:${takenPort}` } });
    assertUserError(run('run', '--config', path), 1, new RegExp(`HW_ERR_API_LISTEN: .*127\\.0\\.0\\.1:${takenPort}: address already in use`));
  });

  it('run with a missing api.auth_token_file', () => {
    const path = config('token.yml', { storage: { path: join(dir, 'b.db') }, api: { listen: '127.0.0.1:0', auth_token_file: join(dir, 'no-token') } });
    assertUserError(run('run', '--config', path), 1, /HW_ERR_CONFIG_READ: .*api\.auth_token_file .*no-token: ENOENT/);
  });

  it('a config that reuses a YAML anchor 150 times', () => {
    const path = config('aliases.yml', `x: &a { y: 1 }\nlist: [${Array(150).fill('*a').join(', ')}]\n`);
    assertUserError(run('check-config', path), 1, /HW_ERR_CONFIG_INVALID: .*too many alias references/);
    assertUserError(run('run', '--config', path), 1, /HW_ERR_CONFIG_INVALID: .*too many alias references/);
  });

  it('check-config finds unreadable files, sub-second intervals and a taken port', () => {
    const files = config('files.yml', {
      api: { listen: `127.0.0.1:${takenPort}`, auth_token_file: join(dir, 'missing-api-token') },
      targets: [
        { url: 'http://127.0.0.1:6060/debug/pprof/heap', bearer_token_file: join(dir, 'missing-token') },
        { url: 'https://127.0.0.1:6061/debug/pprof/heap', tls: { ca_file: dir } },
      ],
    });
    const r = run('check-config', files);
    assertUserError(r, 1, /HW_ERR_CONFIG_INVALID: .*4 problem\(s\)/);
    assert.match(r.stderr, /targets\[0\]\.bearer_token_file: cannot read .*missing-token: no such file/);
    assert.match(r.stderr, /targets\[1\]\.tls\.ca_file: cannot read .*: is a directory/);
    assert.match(r.stderr, /api\.auth_token_file: cannot read .*missing-api-token/);
    assert.match(r.stderr, new RegExp(`api\\.listen: 127\\.0\\.0\\.1:${takenPort}: address already in use`));
    const fast = config('fast.yml', { targets: [{ url: 'http://127.0.0.1:6060/debug/pprof/heap', interval: '100ms' }] });
    assertUserError(run('check-config', fast), 1, /fast\.yml:3: targets\[0\]\.interval: expected at least 1s/);
    const good = config('good.yml', { api: { listen: '127.0.0.1:0' }, targets: [{ url: 'http://127.0.0.1:6060/debug/pprof/heap' }] });
    const ok = run('check-config', good);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /good\.yml: ok/);
  });
});
