/**
 * Credentials never follow a redirect to another origin. A target on
 * 127.0.0.1 redirects to a second loopback host (127.0.0.2) that records
 * every request it receives; with follow_redirects on, the profile is
 * fetched there without Authorization (bearer or basic), Cookie or any
 * secret header, as Go's net/http and curl do. Same-origin redirects keep
 * them. Also: userinfo in a target URL is sent as basic auth but never
 * shown, secret_params are sent but shown redacted, a missing token file has
 * its own code, and a scrape cut off by shutdown says so.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { HttpScraper } from '../src/scrape/scraper.js';
import { staticTargets } from '../src/targets/build.js';
import { redact, secretValues } from '../src/targets/redact.js';
import { GOOD_PROFILE } from './helpers/hostile-server.js';

const TOKEN = 'bearer-secret-5e4d3c2b1a';
const HEADER = 'header-secret-0f9e8d7c6b';
const PASSWORD = 'userinfo-pw-a1b2c3d4e5';
const PARAM = 'param-secret-9a8b7c6d5e';

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((r) => server.listen(0, host, r));
  return `http://${host}:${(server.address() as { port: number }).port}`;
}

describe('credentials on redirects, and secrets in URLs', () => {
  const received: { host: string; url: string; headers: IncomingHttpHeaders }[] = [];
  let origin = '';
  let other = '';
  const otherHost = createServer((req, res) => {
    received.push({ host: 'other', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(GOOD_PROFILE);
  });
  const originHost = createServer((req, res) => {
    received.push({ host: 'origin', url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/away')) return void res.writeHead(302, { location: `${other}/profile` }).end();
    if (req.url?.startsWith('/near')) return void res.writeHead(302, { location: '/profile' }).end();
    if (req.url?.startsWith('/hang')) return;
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(GOOD_PROFILE);
  });
  const scraper = new HttpScraper({ maxBodyBytes: 1 << 24 });

  before(async () => {
    origin = await listen(originHost, '127.0.0.1');
    other = await listen(otherHost, '127.0.0.2');
  });
  after(async () => {
    await scraper.close();
    for (const s of [originHost, otherHost]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  const targetsOf = (targets: object[]): ReturnType<typeof staticTargets> =>
    staticTargets(parseConfig(stringify({ global: { follow_redirects: true }, targets }), 'inline.yml'));

  it('strips Authorization, Cookie and secret headers on a redirect to another host, on every hop after it', async () => {
    const [bearer, basic] = targetsOf([
      { url: `${origin}/away/bearer`, bearer_token: TOKEN, headers: { 'X-Api-Key': HEADER, Cookie: `session=${HEADER}`, 'X-Tenant': 'blue' }, secret_headers: ['X-Api-Key'] },
      { url: `${origin}/away/basic`, basic_auth: { username: 'u', password: PASSWORD } },
    ]);
    for (const t of [bearer!, basic!]) {
      received.length = 0;
      const r = await scraper.fetch(t);
      assert.equal(r.status, 200);
      assert.deepEqual(received.map((x) => x.host), ['origin', 'other']);
      assert.ok(received[0]!.headers.authorization, 'the origin gets the credentials');
      const there = received[1]!.headers;
      assert.equal(there.authorization, undefined, 'no Authorization on the other host');
      assert.equal(there.cookie, undefined);
      assert.equal(there['x-api-key'], undefined);
      assert.ok(!JSON.stringify(there).includes(TOKEN) && !JSON.stringify(there).includes(HEADER) && !JSON.stringify(there).includes(PASSWORD));
    }
    assert.equal(received[1]!.headers['user-agent'], 'heapwatch');
  });

  it('keeps credentials on a same-origin redirect', async () => {
    received.length = 0;
    const [t] = targetsOf([{ url: `${origin}/near`, bearer_token: TOKEN, headers: { 'X-Api-Key': HEADER }, secret_headers: ['X-Api-Key'] }]);
    await scraper.fetch(t!);
    assert.equal(received.length, 2);
    assert.equal(received[1]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(received[1]!.headers['x-api-key'], HEADER);
  });

  it('sends URL userinfo as basic auth and secret_params as given, and shows neither', async () => {
    received.length = 0;
    const [t] = targetsOf([{ url: `http://scraper:${PASSWORD}@${origin.slice(7)}/profile?token=${PARAM}&gc=1`, secret_params: ['token'] }]);
    await scraper.fetch(t!);
    assert.equal(received[0]!.headers.authorization, `Basic ${Buffer.from(`scraper:${PASSWORD}`).toString('base64')}`);
    assert.match(received[0]!.url, new RegExp(`token=${PARAM}`));
    for (const shown of [t!.key, t!.url, JSON.stringify(t!.labels)]) {
      assert.ok(!shown.includes(PASSWORD) && !shown.includes(PARAM), shown);
    }
    assert.match(t!.url, /token=%3Credacted%3E&gc=1$/);
    // An error message that echoes the URL is redacted too.
    assert.equal(redact(`GET http://scraper:${PASSWORD}@h/profile?token=${PARAM}`, secretValues(t!)), 'GET http://<redacted>@h/profile?token=<redacted>');
  });

  it('reports an unreadable token file with its own code, not as a connection error', async () => {
    const [t] = targetsOf([{ url: `${origin}/profile`, bearer_token_file: '/nonexistent/token' }]);
    await assert.rejects(scraper.fetch(t!), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'HW_ERR_TARGET_FILE');
      assert.match(err.message, /bearer_token_file \/nonexistent\/token: ENOENT/);
      return true;
    });
  });

  it('names a scrape cut off by shutdown as such', async () => {
    const [t] = targetsOf([{ url: `${origin}/hang` }]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    await assert.rejects(scraper.fetch(t!, stop.signal), { code: 'HW_ERR_SCRAPE_ABORTED' });
  });
});
