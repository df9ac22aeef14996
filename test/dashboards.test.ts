/**
 * The Grafana dashboards in dashboards/*.json: the classic dashboard JSON
 * model fields Grafana needs, the shared variables, every query going through
 * the `${datasource}` variable and filtered by service/target, and only
 * metric names that heapwatch exports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allPanels, dashboardQueries, loadDashboards, substitute, type DashboardPanel } from './helpers/dashboards.js';
import { CLASS_IDS } from '../src/detect/classes.js';
import { exportedMetricNames, perTargetMetricNames } from './helpers/exported-metrics.js';

/** Every metric name heapwatch exports, read from the exporter. */
const EXPORTED_METRICS: readonly string[] = exportedMetricNames();

/** Metrics that carry both `service` and `target`: every selector of them must filter by the variables. */
const PER_TARGET_METRICS: readonly string[] = perTargetMetricNames();

/** Panel types that query nothing: rows and markdown text. */
const NO_QUERY_TYPES = new Set(['row', 'text']);
const DS_UID = '${datasource}';

const dashboards = loadDashboards();

function metricName(raw: string): string {
  return raw.replace(/_(bucket|sum|count)$/, '');
}

function panelName(file: string, p: DashboardPanel): string {
  return `${file} panel ${p.id ?? '?'} "${p.title ?? ''}"`;
}

describe('Grafana dashboards', () => {
  it('exist: fleet, target drill-down and leak classes', () => {
    assert.deepEqual(
      dashboards.map((d) => d.file),
      ['heapwatch-fleet.json', 'heapwatch-leak-classes.json', 'heapwatch-target.json'],
    );
  });

  it('have the dashboard fields Grafana needs', () => {
    for (const { file, dashboard: d } of dashboards) {
      assert.ok(typeof d.uid === 'string' && d.uid.length > 0 && d.uid.length <= 40, `${file}: uid`);
      assert.ok(typeof d.title === 'string' && d.title.length > 0, `${file}: title`);
      assert.ok(typeof d.schemaVersion === 'number' && d.schemaVersion >= 36, `${file}: schemaVersion`);
      assert.deepEqual(d.tags, ['heapwatch'], `${file}: tags`);
      assert.deepEqual(d.time, { from: 'now-6h', to: 'now' }, `${file}: time`);
      assert.equal(d.refresh, '1m', `${file}: refresh`);
      assert.ok(Array.isArray(d.templating?.list), `${file}: templating.list`);
      assert.ok(Array.isArray(d.panels) && d.panels.length > 0, `${file}: panels`);
      for (const p of allPanels(d)) {
        assert.ok(typeof p.id === 'number', `${panelName(file, p)}: id`);
        assert.ok(typeof p.type === 'string' && p.type.length > 0, `${panelName(file, p)}: type`);
        assert.ok(typeof p.title === 'string' && p.title.length > 0, `${panelName(file, p)}: title`);
        const g = p.gridPos;
        assert.ok(g && [g.h, g.w, g.x, g.y].every((n) => Number.isInteger(n)), `${panelName(file, p)}: gridPos`);
        assert.ok(g.x! >= 0 && g.w! > 0 && g.x! + g.w! <= 24, `${panelName(file, p)}: gridPos within 24 columns`);
      }
    }
  });

  it('lay panels out without overlaps', () => {
    for (const { file, dashboard: d } of dashboards) {
      const taken = new Map<string, string>();
      for (const p of d.panels ?? []) {
        const g = p.gridPos!;
        for (let y = g.y!; y < g.y! + g.h!; y++) {
          for (let x = g.x!; x < g.x! + g.w!; x++) {
            const other = taken.get(`${x},${y}`);
            assert.equal(other, undefined, `${panelName(file, p)} overlaps ${other} at x=${x} y=${y}`);
            taken.set(`${x},${y}`, panelName(file, p));
          }
        }
      }
    }
  });

  it('have unique uids across files', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    assert.equal(new Set(uids).size, uids.length, `uids: ${uids.join(', ')}`);
  });

  it('have unique panel ids within each dashboard', () => {
    for (const { file, dashboard: d } of dashboards) {
      const ids = allPanels(d).map((p) => p.id);
      const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
      assert.deepEqual(dup, [], `${file}: duplicate panel ids`);
    }
  });

  it('query only through the ${datasource} variable', () => {
    for (const { file, dashboard: d } of dashboards) {
      for (const p of allPanels(d)) {
        if (NO_QUERY_TYPES.has(p.type ?? '')) {
          assert.ok((p.targets ?? []).length === 0, `${panelName(file, p)}: ${p.type} panel with queries`);
          continue;
        }
        assert.deepEqual(p.datasource, { type: 'prometheus', uid: DS_UID }, `${panelName(file, p)}: panel datasource`);
        assert.ok((p.targets ?? []).length > 0, `${panelName(file, p)}: no queries`);
        for (const t of p.targets ?? []) {
          assert.deepEqual(t.datasource, { type: 'prometheus', uid: DS_UID }, `${panelName(file, p)} ${t.refId}: target datasource`);
          assert.ok(typeof t.refId === 'string' && t.refId.length > 0, `${panelName(file, p)}: refId`);
          assert.ok(typeof t.expr === 'string' && t.expr.length > 0, `${panelName(file, p)} ${t.refId}: expr`);
        }
        const refIds = (p.targets ?? []).map((t) => t.refId);
        assert.equal(new Set(refIds).size, refIds.length, `${panelName(file, p)}: duplicate refIds`);
      }
    }
  });

  it('have the datasource, service and target variables', () => {
    for (const { file, dashboard: d } of dashboards) {
      const vars = new Map((d.templating?.list ?? []).map((v) => [v.name, v]));
      const ds = vars.get('datasource');
      assert.ok(ds, `${file}: datasource variable`);
      assert.equal(ds.type, 'datasource');
      assert.equal(ds.query, 'prometheus');
      const expected: Record<string, string> = {
        service: 'label_values(heapwatch_target_up, service)',
        target: 'label_values(heapwatch_target_up{service=~"$service"}, target)',
      };
      for (const [name, query] of Object.entries(expected)) {
        const v = vars.get(name);
        assert.ok(v, `${file}: ${name} variable`);
        assert.equal(v.type, 'query', `${file}: ${name} type`);
        assert.equal(v.query, query, `${file}: ${name} query`);
        assert.deepEqual(v.datasource, { type: 'prometheus', uid: DS_UID }, `${file}: ${name} datasource`);
        assert.equal(v.multi, true, `${file}: ${name} multi`);
        assert.equal(v.includeAll, true, `${file}: ${name} includeAll`);
        assert.equal(v.allValue, '.*', `${file}: ${name} allValue`);
      }
      // Variables used in panels are defined, and repeats refer to a variable.
      for (const p of allPanels(d)) {
        if (p.repeat !== undefined) assert.ok(vars.has(p.repeat), `${panelName(file, p)}: repeat by undefined variable ${p.repeat}`);
        for (const t of p.targets ?? []) {
          for (const m of (t.expr ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
            const name = m[1]!;
            assert.ok(name.startsWith('__') || vars.has(name), `${panelName(file, p)}: undefined variable $${name}`);
          }
        }
      }
    }
  });

  it('offer exactly the heapwatch leak classes in the class variable', () => {
    const leak = dashboards.find((d) => d.file === 'heapwatch-leak-classes.json')!.dashboard;
    const cls = (leak.templating?.list ?? []).find((v) => v.name === 'class');
    assert.ok(cls && typeof cls.query === 'string', 'class variable');
    assert.deepEqual(cls.query.split(',').map((s) => s.trim()), CLASS_IDS);
  });

  it('use only metric names heapwatch exports', () => {
    const exported = new Set(EXPORTED_METRICS);
    const used = new Set<string>();
    for (const { file, dashboard: d } of dashboards) {
      const exprs: { where: string; expr: string }[] = [];
      for (const p of allPanels(d)) for (const t of p.targets ?? []) exprs.push({ where: `${panelName(file, p)} ${t.refId}`, expr: t.expr ?? '' });
      for (const v of d.templating?.list ?? []) if (typeof v.query === 'string') exprs.push({ where: `${file} variable ${v.name}`, expr: v.query });
      for (const { where, expr } of exprs) {
        for (const m of expr.matchAll(/\bheapwatch_[a-z0-9_]+/g)) {
          const name = metricName(m[0]);
          used.add(name);
          assert.ok(exported.has(name), `${where}: ${m[0]} is not exported by heapwatch`);
        }
      }
    }
    assert.ok(used.size >= 10, `only ${used.size} metrics used`);
  });

  it('filter per-target metrics by $service and $target', () => {
    const perTarget = new Set(PER_TARGET_METRICS);
    for (const { file, dashboard: d } of dashboards) {
      for (const p of allPanels(d)) {
        for (const t of p.targets ?? []) {
          for (const m of (t.expr ?? '').matchAll(/\b(heapwatch_[a-z0-9_]+)(\{[^}]*\})?/g)) {
            if (!perTarget.has(metricName(m[1]!))) continue;
            const sel = m[2] ?? '';
            assert.ok(sel.includes('service=~"$service"') && sel.includes('target=~"$target"'), `${panelName(file, p)} ${t.refId}: ${m[0]} not filtered by $service/$target`);
          }
        }
      }
    }
  });

  it('list every query with the variables substituted', () => {
    const queries = dashboardQueries({ service: 'echo', target: 'http://10.0.0.5:6060/debug/pprof/heap?gc=1', class: 'sonic-string-pinning', rateInterval: '2m', range: '6h' });
    const total = dashboards.reduce((n, d) => n + allPanels(d.dashboard).reduce((k, p) => k + (p.targets ?? []).filter((t) => t.expr).length, 0), 0);
    assert.equal(queries.length, total);
    for (const q of queries) {
      assert.ok(q.dashboard && q.panel && q.expr, JSON.stringify(q));
      assert.doesNotMatch(q.expr, /\$(?:\{|[A-Za-z_])/, `${q.dashboard} / ${q.panel}: unsubstituted variable in ${q.expr}`);
      assert.doesNotMatch(q.panel, /\$(?:\{|[A-Za-z_])/, `${q.dashboard} / ${q.panel}: unsubstituted variable in the title`);
    }
    const filtered = queries.filter((q) => q.expr.includes('service=~"echo"'));
    assert.ok(filtered.length > 0);
    assert.ok(queries.some((q) => q.expr.includes('target=~"http://10\\\\.0\\\\.0\\\\.5:6060/debug/pprof/heap\\\\?gc=1"')), 'target regex-escaped as Grafana does');
    assert.ok(queries.some((q) => q.expr.includes('class=~"sonic-string-pinning"')));
    assert.ok(queries.some((q) => q.expr.includes('[2m]')));
    assert.ok(queries.some((q) => q.expr.includes('[6h]')));
  });

  it('substitute "All" and multi-selections as Grafana does', () => {
    assert.equal(substitute('x{service=~"$service", target=~"${target}"}[$__rate_interval] $__range'), 'x{service=~".*", target=~".*"}[1m] 1h');
    assert.equal(substitute('$service', { service: ['a.b', 'c'] }), '(a\\\\.b|c)');
    assert.equal(substitute('${datasource}', { datasource: 'prom' }), 'prom');
  });
});
