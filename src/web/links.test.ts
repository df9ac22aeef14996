import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { HeapwatchMetrics } from '../daemon/metrics.js';
import { absolute, findingLookupUrl, findingUrl, targetUrl } from './links.js';

describe('links to the web UI', () => {
  it('are relative without api.external_url and absolute on it, with one slash between', () => {
    assert.equal(findingUrl(7), '/findings/7');
    assert.equal(findingUrl(7, 'https://hw.example.com/'), 'https://hw.example.com/findings/7');
    assert.equal(targetUrl(3, 'https://hw.example.com/base'), 'https://hw.example.com/base/targets/3');
    assert.equal(absolute('http://h:9464///', '/x'), 'http://h:9464/x');
  });

  it('a lookup link carries target, class and function percent-encoded', () => {
    const url = new URL(findingLookupUrl('https://hw.example.com', 'http://10.0.0.5:6060/debug/pprof/heap?gc=1', 'server-request-field-held', 'x.(*Request).FastReadField2&a=<b>'));
    assert.equal(url.pathname, '/findings/lookup');
    assert.equal(url.searchParams.get('target'), 'http://10.0.0.5:6060/debug/pprof/heap?gc=1');
    assert.equal(url.searchParams.get('function'), 'x.(*Request).FastReadField2&a=<b>');
    assert.equal(url.searchParams.get('class'), 'server-request-field-held');
  });

  it('finding series carry finding_url only when a URL is configured', async () => {
    const m = new HeapwatchMetrics(new Registry());
    const finding = { key: 'k1', classId: 'server-request-field-held', severity: 'warning', function: 'x.F', headline: 'h', bytesPerHour: 3600 } as const;
    m.observeFinding('t1', { type: 'opened', finding: finding as never });
    assert.doesNotMatch(await m.exposition(), /finding_url/);
    m.export.findingUrl = (key, f) => findingLookupUrl('https://hw.example.com', key, f.classId, f.function);
    m.observeFinding('t1', { type: 'updated', finding: finding as never });
    const text = await m.exposition();
    assert.match(text, /heapwatch_finding_open\{[^}]*finding_url="https:\/\/hw\.example\.com\/findings\/lookup\?target=t1&class=server-request-field-held&function=x\.F"\} 1/);
    // The label set changed: the series without the URL is gone, not left open.
    assert.equal(text.match(/^heapwatch_finding_open\{/gm)?.length, 1);
  });
});
