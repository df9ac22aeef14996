/** `/`: every finding, open first, filtered by service, class and state. */
import { getJson } from './api.js';
import { h, replace } from './dom.js';
import { age, rate } from './format.js';
import type { Finding } from './types.js';

export async function renderList(root: Element): Promise<void> {
  const { findings } = await getJson<{ findings: Finding[] }>('/api/v1/findings?state=all&limit=10000');
  const params = new URLSearchParams(location.search);
  const filters = { service: params.get('service') ?? '', class: params.get('class') ?? '', state: params.get('state') ?? '' };
  const select = (name: keyof typeof filters, values: string[]): HTMLSelectElement => {
    const el = h('select', { id: `filter-${name}`, 'aria-label': name }, h('option', { value: '' }, `every ${name}`), ...[...new Set(values)].sort().map((v) => h('option', { value: v }, v)));
    el.value = filters[name];
    el.addEventListener('change', () => {
      filters[name] = el.value;
      const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
      history.replaceState(null, '', `/${q.size ? `?${q}` : ''}`);
      draw();
    });
    return el;
  };
  const tbody = h('tbody');
  const count = h('span', { class: 'muted' });
  const draw = (): void => {
    const shown = findings
      .filter((f) => (!filters.service || f.service === filters.service) && (!filters.class || f.class === filters.class) && (!filters.state || f.state === filters.state))
      .sort((a, b) => (a.state === b.state ? Date.parse(b.detected_at) - Date.parse(a.detected_at) : a.state === 'open' ? -1 : 1));
    count.textContent = `${shown.length} of ${findings.length}`;
    replace(
      tbody,
      ...shown.map((f) =>
        h(
          'tr',
          { class: `finding ${f.state}`, data: { id: String(f.id) } },
          h('td', {}, h('span', { class: `badge ${f.severity}` }, f.severity), ' ', h('span', { class: `state ${f.state}` }, f.state)),
          h('td', {}, h('a', { href: `/findings/${f.id}`, class: 'finding-link' }, f.headline || f.summary), h('div', { class: 'muted mono' }, f.class)),
          h('td', { class: 'num' }, f.severity === 'info' ? '' : rate(f.bytes_per_hour)),
          h('td', {}, h('a', { href: `/targets/${f.target_id}` }, f.service), h('div', { class: 'muted' }, f.target)),
          h('td', { class: 'num', title: f.detected_at }, age(f.detected_at)),
        ),
      ),
    );
    if (shown.length === 0) replace(tbody, h('tr', {}, h('td', { colspan: '5', class: 'muted' }, 'No findings match.')));
  };
  replace(
    root,
    h('header', {}, h('h1', {}, 'heapwatch findings'), count),
    h('div', { class: 'filters' }, select('service', findings.map((f) => f.service)), select('class', findings.map((f) => f.class)), select('state', ['open', 'resolved'])),
    h('table', { class: 'findings' }, h('thead', {}, h('tr', {}, h('th', {}, 'state'), h('th', {}, 'finding'), h('th', {}, 'rate'), h('th', {}, 'target'), h('th', {}, 'age'))), tbody),
  );
  draw();
}
