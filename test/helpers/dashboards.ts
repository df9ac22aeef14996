/**
 * The Grafana dashboards shipped in dashboards/*.json, read as plain data:
 * their panels, and every panel query with the dashboard variables
 * substituted the way Grafana's Prometheus datasource does it, so a test can
 * run the queries against a real Prometheus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ROOT } from './paths.js';

export const DASHBOARDS_DIR = `${ROOT}dashboards/`;

export interface DashboardTarget {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
  [key: string]: unknown;
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string } | null;
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  targets?: DashboardTarget[];
  /** Children of a collapsed row. */
  panels?: DashboardPanel[];
  repeat?: string;
  [key: string]: unknown;
}

export interface DashboardVariable {
  name?: string;
  type?: string;
  query?: unknown;
  [key: string]: unknown;
}

export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  tags?: string[];
  time?: { from?: string; to?: string };
  refresh?: string;
  templating?: { list?: DashboardVariable[] };
  panels?: DashboardPanel[];
  [key: string]: unknown;
}

/** Each dashboards/*.json file: its name and the parsed JSON (throws if a file does not parse). */
export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(`${DASHBOARDS_DIR}${file}`, 'utf8')) as Dashboard }));
}

/** Every panel of a dashboard, children of collapsed rows included. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  for (const p of d.panels ?? []) {
    out.push(p);
    for (const child of p.panels ?? []) out.push(child);
  }
  return out;
}

/**
 * Values for the dashboard variables. A string is one selected value (a
 * literal, escaped for the regex matchers the dashboards use); an array is a
 * multi-selection; undefined or `'$__all'` is "All" (the variables' allValue `.*`).
 */
export interface DashboardValues {
  service?: string | readonly string[];
  target?: string | readonly string[];
  class?: string | readonly string[];
  datasource?: string;
  /** `$__rate_interval`, default 1m. */
  rateInterval?: string;
  /** `$__interval`, default 15s. */
  interval?: string;
  /** `$__range`, default 1h. */
  range?: string;
}

/** Grafana's escaping of a multi-value variable for a Prometheus regex matcher (prometheusSpecialRegexEscape). */
export function promRegexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

function formatMulti(v: string | readonly string[] | undefined): string {
  if (v === undefined || v === '$__all') return '.*';
  if (typeof v === 'string') return promRegexEscape(v);
  if (v.length === 0 || v.includes('$__all')) return '.*';
  if (v.length === 1) return promRegexEscape(v[0]!);
  return `(${v.map(promRegexEscape).join('|')})`;
}

/** Replaces `$name`, `${name}` and `${name:format}` for the given variables; built-ins first (`$__rate_interval` before `$__range`). */
export function substitute(text: string, values: DashboardValues = {}): string {
  const vars: Record<string, string> = {
    __rate_interval: values.rateInterval ?? '1m',
    __interval: values.interval ?? '15s',
    __range: values.range ?? '1h',
    datasource: values.datasource ?? 'prometheus',
    service: formatMulti(values.service),
    target: formatMulti(values.target),
    class: formatMulti(values.class),
  };
  return text.replace(/\$\{([A-Za-z0-9_]+)(?::[A-Za-z0-9_]+)?\}|\$([A-Za-z0-9_]+)/g, (whole: string, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const v = vars[name];
    return v === undefined ? whole : v;
  });
}

/**
 * Every panel query of every dashboard, with the variables substituted:
 * `$service`, `$target`, `$class`, `${datasource}`, `$__rate_interval`,
 * `$__interval`, `$__range`. Panels repeated by a variable appear once, with
 * that variable's given value.
 */
export function dashboardQueries(values: DashboardValues = {}): { dashboard: string; panel: string; expr: string }[] {
  const out: { dashboard: string; panel: string; expr: string }[] = [];
  for (const { dashboard } of loadDashboards()) {
    for (const panel of allPanels(dashboard)) {
      for (const t of panel.targets ?? []) {
        if (typeof t.expr !== 'string' || t.expr === '') continue;
        const title = substitute(panel.title ?? '', values);
        out.push({ dashboard: dashboard.uid ?? '', panel: t.refId ? `${title} [${t.refId}]` : title, expr: substitute(t.expr, values) });
      }
    }
  }
  return out;
}
