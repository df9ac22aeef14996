/**
 * Real headless Chromium for the UI tests: Debian's `chromium` package,
 * driven by playwright-core (which downloads no browser of its own). A
 * missing binary fails the test loudly, like every other external tool.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireBinary } from './binaries.js';

export async function launchChromium(): Promise<Browser> {
  const executablePath = requireBinary('chromium', 'apt-get install chromium (scripts/install-test-deps.sh)');
  return chromium.launch({ executablePath, headless: true, args: ['--disable-gpu', '--no-first-run'] });
}

/** Every request the page makes, and a guard that aborts (and records) any that would leave 127.0.0.1. */
export async function guardRequests(page: Page): Promise<{ urls: string[]; blocked: string[] }> {
  const seen = { urls: [] as string[], blocked: [] as string[] };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    seen.urls.push(url);
    const u = new URL(url);
    const local = (u.protocol === 'http:' && u.hostname === '127.0.0.1') || u.protocol === 'blob:' || u.protocol === 'data:';
    if (!local) {
      seen.blocked.push(url);
      await route.abort();
      return;
    }
    await route.continue();
  });
  return seen;
}

/** How many pixels of a canvas are not blank (painted, not transparent). */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  // Runs in the page; typed structurally (the tests compile without the DOM lib).
  type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
  return page.$$eval(selector, (canvases) =>
    (canvases as unknown as Canvas[]).reduce((sum, c) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return sum;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return sum + n;
    }, 0),
  );
}
