/**
 * The Grafana dashboards shipped in dashboards/*.json, read as plain data:
 * their panels, and every panel query with the dashboard variables
 * substituted the way Grafana's Prometheus datasource does it, so a test can
 * run the queries against a real Prometheus.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { buildGoFixture } from './go-service.js';
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

/**
 * Runs the Go schema checker (test/fixtures/go/dashcheck, Grafana's foundation
 * SDK) on JSON files: `dashboard` for dashboard models, `rulegroup` for
 * alerting rule groups. Builds it on first use; Go must be installed.
 */
export function runSchemaCheck(kind: 'dashboard' | 'rulegroup', files: readonly string[]): { status: number | null; output: string } {
  const bin = buildGoFixture('go/dashcheck');
  const r = spawnSync(bin, [kind, ...files], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A Grafana alerting provisioning file (`apiVersion: 1`, groups of rules). */
export interface ProvisionedAlerting {
  apiVersion?: number;
  groups?: { orgId?: number; name?: string; folder?: string; interval?: string; rules?: ProvisionedRule[] }[];
}
export interface ProvisionedRule {
  uid?: string;
  title?: string;
  condition?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  data?: { refId?: string; datasourceUid?: string; model?: Record<string, unknown> & { expr?: string; type?: string; expression?: string; conditions?: { evaluator?: { type?: string; params?: number[] } }[] } }[];
  [key: string]: unknown;
}

/**
 * One provisioned group in the shape of the alerting API (and of the
 * foundation SDK's RuleGroup type): the org, folder and group name that file
 * provisioning sets once per group are repeated on each rule.
 */
export function asApiRuleGroup(group: NonNullable<ProvisionedAlerting['groups']>[number]): Record<string, unknown> {
  const m = /^(\d+)([smh])$/.exec(group.interval ?? '');
  if (!m) throw new Error(`group ${group.name}: interval ${group.interval} is not a whole number of s, m or h`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  return {
    title: group.name,
    folderUid: group.folder,
    interval: seconds,
    rules: (group.rules ?? []).map((r) => ({ ...r, folderUID: group.folder, ruleGroup: group.name, orgID: group.orgId })),
  };
}
