/** `/targets/:id`: heap total over time, top growing functions with sparklines, the target's findings. */
import { getJson } from './api.js';
import { growthChart, sparkline } from './charts.js';
import { h, replace } from './dom.js';
import { age, bytes, rate, signedBytes } from './format.js';
import type { Finding, TargetOverview } from './types.js';

export async function renderTarget(root: Element, id: number): Promise<void> {
  const [o, { findings }] = await Promise.all([
    getJson<TargetOverview>(`/api/v1/targets/${id}/overview`),
    getJson<{ findings: Finding[] }>(`/api/v1/targets/${id}/findings?state=all`),
  ]);
  const chartEl = h('div', { id: 'total-chart', class: 'chart' });
  replace(
    root,
    h('nav', {}, h('a', { href: '/' }, '← findings')),
    h('header', {}, h('h1', {}, o.target.labels.service ?? o.target.url), h('p', { class: 'mono' }, o.target.url), h('p', { class: 'muted' }, Object.entries(o.target.labels).map(([k, v]) => `${k}=${v}`).join(' '))),
    h('section', {}, h('h2', {}, 'Heap total'), chartEl),
    h(
      'section',
      {},
      h('h2', {}, `Top growing functions (last ${Math.round(o.window_seconds / 60)} min of the current process)`),
      h(
        'table',
        { class: 'functions' },
        h('thead', {}, h('tr', {}, h('th', {}, 'function'), h('th', {}, 'inuse'), h('th', {}, 'growth'), h('th', {}, 'rate'), h('th', {}, 'this process'))),
        h('tbody', {}, ...o.functions.map((f) => h('tr', {}, h('td', { class: 'mono' }, f.name), h('td', { class: 'num' }, bytes(f.inuse_bytes)), h('td', { class: 'num' }, signedBytes(f.delta_bytes)), h('td', { class: 'num' }, rate(f.bytes_per_hour)), h('td', {}, sparkline(f.spark))))),
      ),
    ),
    h(
      'section',
      {},
      h('h2', {}, 'Findings'),
      findings.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('ul', { class: 'plain' }, ...findings.map((f) => h('li', {}, h('span', { class: `badge ${f.severity}` }, f.severity), ' ', h('a', { href: `/findings/${f.id}`, class: 'finding-link' }, f.headline || f.summary), h('span', { class: 'muted' }, ` ${f.state}, ${age(f.detected_at)} ago`)))),
    ),
  );
  document.title = `${o.target.labels.service ?? o.target.url} · heapwatch`;
  growthChart(chartEl, o.totals.t, [{ label: 'heap total (inuse)', values: o.totals.total, stroke: '#2c7be5', fill: 'rgba(44, 123, 229, 0.1)' }]);
  document.documentElement.dataset.chart = 'drawn';
}
