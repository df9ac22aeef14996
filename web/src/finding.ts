/**
 * `/findings/:id`: what leaks, why it is judged a leak, how to fix it, and
 * the growth itself (chart, stack, diff flame graph, profiles for pprof).
 */
import { download, getJson } from './api.js';
import { growthChart } from './charts.js';
import { h, replace, type Child } from './dom.js';
import { drawFlame } from './flame.js';
import { bytes, rate, signedBytes, time } from './format.js';
import type { FindingDetail, FlameResponse } from './types.js';

function evidenceRows(e: Record<string, unknown>): Child[] {
  const rows: [string, Child][] = [];
  const versions = e.versions && typeof e.versions === 'object' ? Object.entries(e.versions as Record<string, string>) : [];
  if (versions.length) rows.push(['module versions', h('ul', { class: 'plain mono' }, ...versions.map(([m, v]) => h('li', {}, `${m} ${v}`)))]);
  if (typeof e.meanObjectBytes === 'number') rows.push(['mean object size', bytes(e.meanObjectBytes)]);
  if (typeof e.pValue === 'number') rows.push(['p-value (Mann–Kendall)', e.pValue.toPrecision(3)]);
  if (typeof e.windowMinutes === 'number') rows.push(['window', `${e.windowMinutes} min`]);
  if (typeof e.processAgeMinutes === 'number') rows.push(['process age', `${e.processAgeMinutes} min`]);
  if (typeof e.allocation === 'string') rows.push(['allocation context', e.allocation]);
  if (typeof e.keptShare === 'number') rows.push(['kept share of allocations', `${Math.round(e.keptShare * 100)} %`]);
  if (Array.isArray(e.matchedFrames) && e.matchedFrames.length) rows.push(['matched frames', h('ul', { class: 'plain mono' }, ...e.matchedFrames.map((f) => h('li', {}, String(f))))]);
  for (const [k, v] of Object.entries(e)) {
    if (['versions', 'meanObjectBytes', 'pValue', 'windowMinutes', 'processAgeMinutes', 'allocation', 'keptShare', 'matchedFrames', 'allocBytesPerMinute'].includes(k)) continue;
    if (typeof v === 'string' || typeof v === 'number') rows.push([k, String(v)]);
  }
  return rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)));
}

function markReady(what: 'chart' | 'flame'): void {
  document.documentElement.dataset[what] = 'drawn';
}

export async function renderFinding(root: Element, id: number): Promise<void> {
  // Both requests in flight at once: the flame graph is the slow one.
  const flameReq = getJson<FlameResponse>(`/api/v1/findings/${id}/flame`);
  flameReq.catch(() => undefined);
  const d = await getJson<FindingDetail>(`/api/v1/findings/${id}`);
  const f = d.finding;
  const chartEl = h('div', { id: 'growth-chart', class: 'chart' });
  const flameEl = h('div', { id: 'flame', class: 'flame' });
  const flameNote = h('p', { class: 'muted', id: 'flame-note' }, 'Loading the flame graph…');
  const guide = h('a', { href: f.doc_url, id: 'guide-link', rel: 'noreferrer' }, 'the guide');
  const downloads = d.downloads
    ? h(
        'div',
        { class: 'downloads' },
        ...(['base', 'latest', 'diff'] as const).map((k) => {
          const b = h('button', { type: 'button', class: 'download', data: { kind: k, file: d.downloads![k].file } }, `${k} profile (.pb.gz)`);
          b.addEventListener('click', () => void download(d.downloads![k].url, d.downloads![k].file).catch((e: unknown) => alert(String(e))));
          return b;
        }),
        h('pre', { id: 'pprof-command', class: 'mono' }, d.pprof_command ?? ''),
      )
    : h('p', { class: 'muted' }, 'No stored profiles for this epoch.');
  replace(
    root,
    h('nav', {}, h('a', { href: '/' }, '← findings')),
    h('header', { class: 'finding-head' },
      h('h1', { id: 'headline' }, f.headline || f.title),
      h('div', { class: 'meta' },
        h('span', { class: `badge ${f.severity}`, id: 'severity' }, f.severity), ' ',
        h('span', { class: `state ${f.state}` }, f.state), ' ',
        h('span', { class: 'mono', id: 'class' }, f.class), ' · ',
        h('span', {}, f.severity === 'info' ? '' : `${rate(f.bytes_per_hour)}, ${signedBytes(f.growth_bytes)} in the window`), ' · ',
        h('span', {}, `detected ${time(f.detected_at)}`),
        f.resolved_at ? h('span', {}, ` · resolved ${time(f.resolved_at)} (${f.resolved_reason ?? ''})`) : null,
      ),
      h('p', { class: 'mono', id: 'target-url' }, f.service, ' — ', f.target),
    ),
    h('section', {}, h('h2', {}, 'What'), h('p', { id: 'summary' }, f.summary), h('p', {}, 'Key function: ', h('code', { id: 'key-function' }, f.function))),
    h('section', {}, h('h2', {}, 'Fix'), h('p', { id: 'remediation' }, f.remediation), h('p', {}, 'See ', guide, '.')),
    h('section', {}, h('h2', {}, 'Growth'), chartEl, h('p', { class: 'muted' }, 'Shaded: the detection window. Dashed: detected_at.')),
    h('section', {}, h('h2', {}, 'Evidence'), h('table', { class: 'evidence' }, h('tbody', {}, ...evidenceRows(f.evidence)))),
    h('section', {}, h('h2', {}, 'Growing stack'), h('ol', { id: 'stack', class: 'stack mono' }, ...f.stack.map((fr) => h('li', { class: fr === f.function ? 'key' : undefined }, fr)))),
    h('section', {}, h('h2', {}, 'Diff flame graph'), flameNote, flameEl),
    h('section', {}, h('h2', {}, 'Profiles'), downloads),
  );
  if (d.target) {
    const nav = root.querySelector('nav');
    nav?.append(' · ', h('a', { href: `/targets/${d.target.id}`, id: 'target-link' }, `target ${d.target.labels.service ?? d.target.url}`));
  }
  document.title = `${f.headline || f.title} · heapwatch`;
  const toSec = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) / 1000 : undefined);
  growthChart(
    chartEl,
    d.series.t,
    [
      { label: 'heap total', values: d.series.total, stroke: '#7f8c8d' },
      { label: f.function.split('/').pop() ?? f.function, values: d.series.finding, stroke: '#c0392b', fill: 'rgba(192, 57, 43, 0.12)' },
    ],
    { windowFrom: toSec(d.window?.from), windowTo: toSec(d.window?.to), detectedAt: toSec(f.detected_at) },
  );
  markReady('chart');
  try {
    const flame = await flameReq;
    drawFlame(flameEl, flame.root, flame.key_frame);
    replace(
      flameNote,
      `Width: inuse at ${time(flame.latest_at)}. Colour: growth since ${time(flame.base_at)} (red grew, blue shrank). Highlighted: the key frame. `,
      flame.folded ? `${flame.folded} small frames folded into their callers.` : '',
    );
    markReady('flame');
  } catch (err) {
    replace(flameNote, `The flame graph could not be drawn: ${String(err)}`);
  }
}
