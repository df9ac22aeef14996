import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { CONTENT_SECURITY_POLICY, isPagePath, pageRoutes } from './pages.js';

describe('web pages', () => {
  it('only the page shell and its assets are open without a token', () => {
    for (const p of ['/', '/findings/12', '/findings/lookup', '/targets/3', '/assets/app.js']) assert.equal(isPagePath(p), true, p);
    for (const p of ['/api/v1/findings', '/api/v1/findings/1/profiles/base', '/findings/1/x', '/metrics', '/targets']) assert.equal(isPagePath(p), false, p);
  });

  it('serves the shell with a CSP that allows no inline script, and no file outside the bundle', async () => {
    const app = Fastify();
    pageRoutes()(app);
    const page = await app.inject('/findings/7');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe/);
    // The shell itself carries no inline script: only the bundle by path.
    assert.deepEqual([...page.body.matchAll(/<script[^>]*>/g)].map((m) => m[0]), ['<script type="module" src="/assets/app.js">']);
    assert.doesNotMatch(page.body, /<script[^>]*>[^<]+<\/script>/);
    for (const bad of ['/assets/..%2Fpackage.json', '/assets/app.js.map', '/assets/heapwatch.db']) {
      assert.equal((await app.inject(bad)).statusCode, 404, bad);
    }
    await app.close();
  });
});
