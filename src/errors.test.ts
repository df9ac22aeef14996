import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERRORS, HeapwatchError, fromErrorRecord, toErrorRecord, withErrorContext } from './errors.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it('documents every code in the README, and the README names no unknown code', () => {
    for (const code of Object.keys(ERRORS)) assert.match(README, new RegExp(`\\| \`${code}\` \\|`), `${code} missing from README`);
    const documented = new Set(README.match(/HW_ERR_[A-Z_]+/g));
    for (const code of documented) assert.ok(code in ERRORS || code === 'HW_ERR_', `README names unknown code ${code}`);
  });

  it('has unique messages and HTTP statuses in range', () => {
    const messages = Object.values(ERRORS).map((e) => e.message);
    assert.equal(new Set(messages).size, messages.length);
    for (const e of Object.values(ERRORS)) assert.ok(e.status >= 400 && e.status < 600);
  });

  it('keeps the cause and survives a trip through a plain record', () => {
    const cause = new Error('ECONNRESET');
    const err = new HeapwatchError('HW_ERR_SCRAPE_RESET', 'after 10 bytes', { cause });
    assert.equal(err.cause, cause);
    assert.equal(err.message, 'connection reset while reading the response: after 10 bytes');
    const back = fromErrorRecord(toErrorRecord(err, 'HW_ERR_SCRAPE_CONNECT'));
    assert.equal(back.code, 'HW_ERR_SCRAPE_RESET');
    assert.equal(back.message, err.message);
    assert.deepEqual(toErrorRecord(new Error('boom'), 'HW_ERR_STORE_WRITE'), { code: 'HW_ERR_STORE_WRITE', message: 'cannot write to the database: boom' });
  });

  it('withErrorContext puts the context before the detail, keeps the code, and lets other errors through', () => {
    assert.equal(withErrorContext('a.pb.gz', () => 7), 7);
    assert.throws(
      () => withErrorContext('a.pb.gz', () => { throw new HeapwatchError('HW_ERR_PROFILE_GZIP', 'bad header'); }),
      (err: unknown) => err instanceof HeapwatchError && err.code === 'HW_ERR_PROFILE_GZIP' && err.detail === 'a.pb.gz: bad header' && err.message === `${ERRORS.HW_ERR_PROFILE_GZIP.message}: a.pb.gz: bad header`,
    );
    assert.throws(
      () => withErrorContext('a.pb.gz', () => { throw new HeapwatchError('HW_ERR_NOT_PPROF'); }),
      (err: unknown) => err instanceof HeapwatchError && err.detail === 'a.pb.gz',
    );
    const plain = new TypeError('boom');
    assert.throws(() => withErrorContext('a.pb.gz', () => { throw plain; }), (err: unknown) => err === plain);
  });
});
