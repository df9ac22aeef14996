/**
 * The Prometheus alerting rules, their promtool unit tests, the example
 * Prometheus config and the Alertmanager config are valid, and the rules only
 * use metrics heapwatch exports. promtool and amtool are required: a missing
 * binary fails the test, it is never skipped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { requireBinary } from './helpers/binaries.js';
import { asApiRuleGroup, runSchemaCheck, type ProvisionedAlerting, type ProvisionedRule } from './helpers/dashboards.js';
import { exportedMetricNames } from './helpers/exported-metrics.js';
import { ROOT } from './helpers/paths.js';
import { CLASS_IDS, LEAK_CLASSES, UNCLASSIFIED } from '../src/detect/classes.js';

const PROM_DIR = join(ROOT, 'config', 'prometheus');
const ALERTS = join(PROM_DIR, 'alerts.yml');
const ALERTS_TEST = join(PROM_DIR, 'alerts.test.yml');
const PROM_CONFIG = join(PROM_DIR, 'prometheus.yml');
const AM_CONFIG = join(ROOT, 'config', 'alertmanager', 'alertmanager.yml');
const GRAFANA_ALERTING = join(ROOT, 'config', 'grafana', 'provisioning', 'alerting', 'heapwatch.yaml');

/** Every metric name heapwatch exports, read from the exporter (histograms with their series). */
const KNOWN_METRICS = new Set<string>(exportedMetricNames());

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
interface RuleFile {
  groups?: { name?: string; rules?: Rule[] }[];
}

/** Runs a binary, failing with its output when it does not exit 0. */
function run(bin: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
  assert.equal(r.status, 0, `${bin} ${args.join(' ')} exited ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return output;
}

// Looked up in each test (not in a before hook) so that a missing binary shows
// up as failed tests in the runner's summary, not as cancelled ones.
const promtool = (): string => requireBinary('promtool', 'install Prometheus >= 2.42 (Debian: apt-get install prometheus)');
const amtool = (): string => requireBinary('amtool', 'install Alertmanager >= 0.25 (Debian: apt-get install prometheus-alertmanager)');

function loadRules(): Rule[] {
  const doc = parse(readFileSync(ALERTS, 'utf8')) as RuleFile;
  const groups = doc.groups ?? [];
  return groups.flatMap((g) => g.rules ?? []);
}

describe('alert rules and alerting configs', () => {
  it('promtool check rules accepts alerts.yml', () => {
    run(promtool(), ['check', 'rules', ALERTS]);
  });

  it('promtool unit tests in alerts.test.yml pass', () => {
    const out = run(promtool(), ['test', 'rules', ALERTS_TEST]);
    assert.match(out, /SUCCESS/);
  });

  it('promtool check config accepts prometheus.yml and its rule files', () => {
    // rule_files resolve relative to the config file's directory.
    const out = run(promtool(), ['check', 'config', 'prometheus.yml'], PROM_DIR);
    assert.match(out, /1 rule files found/);
  });

  it('amtool check-config accepts alertmanager.yml', () => {
    run(amtool(), ['check-config', AM_CONFIG]);
  });

  it('alertmanager routes alerts by severity', () => {
    const cases: [string[], string][] = [
      [['severity=critical', 'alertname=HeapwatchLeakClassGrowing', 'class=server-request-field-held'], 'pager'],
      [['severity=warning', 'alertname=HeapwatchLeakClassGrowing', 'class=sonic-string-pinning'], 'team'],
      [['severity=warning', 'alertname=HeapwatchTargetDown'], 'team'],
      [['severity=info', 'alertname=HeapwatchVulnerableModule'], 'low-priority'],
    ];
    for (const [labels, receiver] of cases) {
      run(amtool(), ['config', 'routes', 'test', `--config.file=${AM_CONFIG}`, `--verify.receivers=${receiver}`, ...labels]);
    }
  });

  it('prometheus.yml scrapes heapwatch and sends alerts to alertmanager', () => {
    const cfg = parse(readFileSync(PROM_CONFIG, 'utf8')) as {
      rule_files?: string[];
      scrape_configs?: { job_name?: string; static_configs?: { targets?: string[] }[] }[];
      alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] };
    };
    assert.deepEqual(cfg.rule_files, ['alerts.yml']);
    const job = cfg.scrape_configs?.find((s) => s.job_name === 'heapwatch');
    assert.ok(job, 'no scrape config with job_name heapwatch');
    assert.ok(job.static_configs?.some((s) => s.targets?.includes('heapwatch:9464')), 'heapwatch:9464 is not scraped');
    const am = cfg.alerting?.alertmanagers?.flatMap((a) => a.static_configs ?? []).flatMap((s) => s.targets ?? []);
    assert.ok(am?.includes('alertmanager:9093'), 'alertmanager:9093 is not configured');
  });

  describe('rule file contents', () => {
    const rules = loadRules();

    it('has alerting rules in group heapwatch', () => {
      const doc = parse(readFileSync(ALERTS, 'utf8')) as RuleFile;
      assert.deepEqual(
        doc.groups?.map((g) => g.name),
        ['heapwatch'],
      );
      assert.ok(rules.length >= 5, `expected at least 5 rules, got ${rules.length}`);
    });

    it('every rule has labels.severity and annotations summary, description, runbook_url', () => {
      const problems: string[] = [];
      for (const r of rules) {
        const name = r.alert ?? r.record ?? '(unnamed)';
        if (!r.alert) problems.push(`${name}: not an alerting rule`);
        if (typeof r.labels?.severity !== 'string' || r.labels.severity === '') problems.push(`${name}: labels.severity missing`);
        for (const a of ['summary', 'description', 'runbook_url']) {
          const v = r.annotations?.[a];
          if (typeof v !== 'string' || v.trim() === '') problems.push(`${name}: annotations.${a} missing`);
        }
        if (typeof r.expr !== 'string' || r.expr.trim() === '') problems.push(`${name}: expr missing`);
      }
      assert.deepEqual(problems, []);
    });

    it('alert names are unique, except HeapwatchLeakClassGrowing: one rule per known leak class', () => {
      const others = rules.filter((r) => r.alert !== 'HeapwatchLeakClassGrowing').map((r) => r.alert);
      assert.equal(new Set(others).size, others.length, `duplicate alert names: ${others.join(', ')}`);
      const perClass = rules.filter((r) => r.alert === 'HeapwatchLeakClassGrowing').map((r) => r.labels?.class);
      assert.deepEqual(perClass, CLASS_IDS.filter((id) => id !== 'unclassified-growth' && id !== 'goroutine-leak'));
    });

    it('leak alerts carry the severity, remediation and guide link of their class row', () => {
      const rows = [...LEAK_CLASSES, UNCLASSIFIED];
      for (const r of rules.filter((x) => x.alert === 'HeapwatchLeakClassGrowing' || x.alert === 'HeapwatchUnclassifiedGrowth')) {
        const row = rows.find((c) => c.id === r.labels?.class);
        assert.ok(row, `${r.alert}: class ${String(r.labels?.class)} has no row`);
        assert.equal(r.labels?.severity, row.severity, `${row.id}: severity`);
        assert.equal(r.annotations?.runbook_url, row.docUrl, `${row.id}: runbook_url`);
        assert.ok(String(r.annotations?.description).endsWith(row.remediation), `${row.id}: description ends with the remediation`);
        assert.match(r.expr ?? '', new RegExp(`class="${row.id}"`), `${row.id}: expr selects its class`);
      }
    });

    it('every heapwatch_* metric in the expressions is one heapwatch exports', () => {
      const unknown: string[] = [];
      for (const r of rules) {
        for (const m of (r.expr ?? '').matchAll(/\bheapwatch_[a-z0-9_]+/g)) {
          if (!KNOWN_METRICS.has(m[0])) unknown.push(`${r.alert ?? '?'}: ${m[0]}`);
        }
      }
      assert.deepEqual(unknown, [], 'rules use metrics heapwatch does not export');
    });

    it('the unit tests cover every alert', () => {
      const doc = parse(readFileSync(ALERTS_TEST, 'utf8')) as {
        tests?: { alert_rule_test?: { alertname?: string; exp_alerts?: unknown[] }[] }[];
      };
      const cases = (doc.tests ?? []).flatMap((t) => t.alert_rule_test ?? []);
      for (const r of rules) {
        const mine = cases.filter((c) => c.alertname === r.alert);
        assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${r.alert}: no test case where it fires`);
        assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${r.alert}: no test case where it does not fire`);
      }
    });
  });

  describe('Grafana-managed alert rules (provisioning file)', () => {
    const file = parse(readFileSync(GRAFANA_ALERTING, 'utf8')) as ProvisionedAlerting;
    const group = file.groups?.[0];
    const grafanaRules = group?.rules ?? [];
    const query = (r: ProvisionedRule, refId: string): NonNullable<ProvisionedRule['data']>[number]['model'] => r.data?.find((d) => d.refId === refId)?.model;
    const OPS: Record<string, string> = { gt: '>', lt: '<', eq: '==' };
    /** The PromQL a Prometheus rule would evaluate for this Grafana rule: query A, compared as C compares its reduced value. */
    function equivalentExpr(r: ProvisionedRule): string {
      const a = query(r, 'A')?.expr ?? '';
      const c = query(r, 'C');
      if (c?.type === 'math' && c.expression === 'is_number($B)') return a;
      const ev = c?.conditions?.[0]?.evaluator;
      assert.ok(c?.type === 'threshold' && ev?.type && OPS[ev.type] && ev.params?.length === 1, `${r.title}: C is neither is_number($B) nor a gt/lt/eq threshold`);
      return `${a} ${OPS[ev.type]!} ${ev.params[0]!}`;
    }
    const normal = (expr: string): string => expr.replace(/\s+/g, ' ').trim();

    it('has apiVersion 1 and one group whose rules query Prometheus (A), reduce (B) and decide (C)', () => {
      assert.equal(file.apiVersion, 1);
      assert.equal(file.groups?.length, 1);
      assert.ok(group?.name && group.folder && group.orgId === 1 && group.interval, 'group name, folder, orgId, interval');
      for (const r of grafanaRules) {
        assert.equal(r.condition, 'C', `${r.title}: condition`);
        assert.deepEqual(r.data?.map((d) => d.refId), ['A', 'B', 'C'], `${r.title}: queries`);
        assert.equal(r.data?.[0]?.datasourceUid, 'prometheus', `${r.title}: A queries the provisioned Prometheus datasource`);
        assert.equal(query(r, 'B')?.type, 'reduce', `${r.title}: B`);
        assert.equal(query(r, 'B')?.expression, 'A', `${r.title}: B reduces A`);
        for (const a of ['summary', 'description', 'runbook_url']) assert.ok(r.annotations?.[a], `${r.title}: annotation ${a}`);
        assert.doesNotMatch(JSON.stringify(r.annotations), /\$value\b/, `${r.title}: Prometheus's $value in a Grafana template`);
      }
      const uids = grafanaRules.map((r) => r.uid);
      const titles = grafanaRules.map((r) => r.title);
      assert.equal(new Set(uids).size, uids.length, 'unique uids');
      assert.equal(new Set(titles).size, titles.length, 'unique titles');
    });

    it('covers the same alerts as the Prometheus rules: same expression, for, labels and runbook', () => {
      const promRules = loadRules();
      assert.equal(grafanaRules.length, promRules.length);
      for (const p of promRules) {
        const g = grafanaRules.find((r) => normal(equivalentExpr(r)) === normal(p.expr ?? ''));
        assert.ok(g, `${p.alert} (${JSON.stringify(p.labels)}): no Grafana rule evaluates ${p.expr}`);
        assert.ok(g.title?.startsWith(p.alert ?? '?'), `${g.title}: named after ${p.alert}`);
        assert.equal(g.for, p.for, `${g.title}: for`);
        assert.deepEqual(g.labels, p.labels, `${g.title}: labels`);
        assert.equal(g.annotations?.runbook_url, p.annotations?.runbook_url, `${g.title}: runbook_url`);
        assert.equal(g.annotations?.description, String(p.annotations?.description).replace(/\$value\b/g, '$values.B.Value'), `${g.title}: description`);
      }
    });

    it('every PromQL expression in it passes promtool', () => {
      // promtool checks PromQL in rule files: a throw-away one with query A of every rule.
      const dir = mkdtempSync(join(tmpdir(), 'hw-grafana-promql-'));
      const rules = grafanaRules.flatMap((r, i) => [
        { alert: `GrafanaQueryA${i}`, expr: query(r, 'A')?.expr },
        { alert: `GrafanaCondition${i}`, expr: equivalentExpr(r) },
      ]);
      const throwaway = join(dir, 'grafana-queries.yml');
      writeFileSync(throwaway, stringify({ groups: [{ name: 'grafana-queries', rules }] }));
      const out = run(promtool(), ['check', 'rules', throwaway]);
      assert.match(out, new RegExp(`SUCCESS: ${rules.length} rules found`));
    });

    it("matches the foundation SDK's alerting types (Go: strict unmarshal, then Validate)", () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-grafana-rules-'));
      const json = join(dir, 'rulegroup.json');
      writeFileSync(json, JSON.stringify(asApiRuleGroup(group!)));
      const { status, output } = runSchemaCheck('rulegroup', [json]);
      assert.equal(status, 0, output);
      assert.match(output, /: ok$/m);
    });

    it('the alerting schema check rejects broken rules', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-grafana-broken-'));
      const breakages: [string, (g: Record<string, unknown> & { rules: Record<string, unknown>[] }) => void, RegExp][] = [
        ['misspelt rule field', (g) => (g.rules[0]!.condtion = 'C'), /rules\[0\].*unexpected field 'condtion'/],
        ['rule without title', (g) => delete g.rules[1]!.title, /rules\[1\]\.title: required field is missing/],
        ['threshold in the query model of a wrong type', (g) => (((g.rules[9]!.data as Record<string, unknown>[])[2]!.model as Record<string, unknown>).conditions = 'gt 0'), /rules\[9\]\.data\[2\]\.model/],
      ];
      for (const [name, breakIt, expected] of breakages) {
        const g = structuredClone(asApiRuleGroup(group!)) as Record<string, unknown> & { rules: Record<string, unknown>[] };
        breakIt(g);
        const json = join(dir, `${name.replace(/\W+/g, '-')}.json`);
        writeFileSync(json, JSON.stringify(g));
        const { status, output } = runSchemaCheck('rulegroup', [json]);
        assert.equal(status, 1, `${name}: accepted\n${output}`);
        assert.match(output, expected, name);
      }
    });
  });
});
