/**
 * The pages stay light and self-contained: the built bundle (npm run build
 * -> dist/web) is measured gzipped against the 300 KB budget, and it names
 * no external origin to load from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';

const BUDGET_BYTES = 300 * 1000;

function built(name: string): Buffer {
  try {
    return readFileSync(`${ROOT}dist/web/${name}`);
  } catch (err) {
    throw new Error(`dist/web/${name} is missing: run npm run build (scripts/build-web.mjs): ${(err as Error).message}`);
  }
}

describe('web bundle', () => {
  it('is within 300 KB of JS gzipped', () => {
    const js = built('app.js');
    const gzipped = gzipSync(js, { level: 9 }).length;
    assert.ok(gzipped <= BUDGET_BYTES, `app.js is ${gzipped} bytes gzipped, over ${BUDGET_BYTES}`);
    assert.ok(gzipped > 10_000, `app.js is ${gzipped} bytes gzipped: uPlot and d3-flame-graph are missing from it`);
  });

  it('loads nothing from another origin (no CDN, no fonts, no imports by URL)', () => {
    for (const name of ['app.js', 'app.css']) {
      const text = built(name).toString('utf8');
      assert.doesNotMatch(text, /import\s*\(?\s*["']https?:|@import\s+url\(\s*["']?https?:|src\s*=\s*["']https?:/, name);
      assert.doesNotMatch(text, /url\(\s*["']?(?:https?:)?\/\//, `${name} references a remote url()`);
    }
  });
});
