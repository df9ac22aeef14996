/**
 * heapwatch's alerts, defined once. src/observability/prometheus-rules.ts
 * renders them as Prometheus alerting rules (config/prometheus/alerts.yml)
 * and grafana-alerts.ts as Grafana-managed rules
 * (config/grafana/provisioning/alerting/heapwatch.yaml).
 *
 * What is decided here by hand: the queries, thresholds, `for:` durations
 * and the heapwatch self-alerts. What comes from the class catalogue
 * (src/detect/classes.ts): each leak class's severity, title, remediation
 * and guide link.
 */
import { VULNERABLE_VERSIONS } from '../detect/classes.js';
import { CLASS_TEXTS, classText, type ClassText } from './class-text.js';

/** One alert, defined once; rendered as a Prometheus rule and as a Grafana-managed rule (see above). */
export interface AlertSpec {
  /** Prometheus alert name (several rules may share one: one per leak class). */
  alert: string;
  /** Grafana rule uid and title: unique per rule. */
  uid: string;
  title: string;
  /** Why the rule exists and how to read it; written above the rule in the generated files. */
  comment: string;
  /** PromQL whose value the annotations show (`{{ $value }}`). */
  query: string;
  /** The comparison that makes it fire; absent: it fires for every series the query returns. */
  threshold?: { op: '>' | '<' | '=='; value: number };
  for: string;
  labels: Record<string, string>;
  /** Go templates; `$value` is the query's value. */
  annotations: { summary: string; description: string; runbook_url: string; finding_url?: string };
}

/** heapwatch's own runbook: a PLACEHOLDER domain, point it at wherever the heapwatch runbook is published. */
const RUNBOOK = 'https://heapwatch.example.invalid/runbook';

/**
 * The finding's page in heapwatch's UI: the daemon puts it on the finding
 * series as the `finding_url` label when `api.external_url` is set (empty
 * otherwise, so the annotation is empty too).
 */
const FINDING_URL = '{{ $labels.finding_url }}';

/** Severities of findings that page; `info` findings (a vulnerable module, no growth yet) never do. */
const PAGING = 'severity=~"warning|critical"';

function findingGrowth(classMatcher: string): string {
  return [
    `heapwatch_finding_growth_bytes_per_second{${classMatcher}, ${PAGING}} * 3600`,
    '  and on (target, class, severity, function)',
    `heapwatch_finding_open{${classMatcher}, ${PAGING}} == 1`,
  ].join('\n');
}

function leakClassAlert(c: ClassText): AlertSpec {
  return {
    alert: 'HeapwatchLeakClassGrowing',
    uid: `hw-leak-${c.id}`,
    title: `HeapwatchLeakClassGrowing ${c.id}`,
    comment: `An open ${c.id} finding grows. Value: growth in bytes per hour.`,
    query: findingGrowth(`class="${c.id}"`),
    // heapwatch debounces findings before opening them: `for` only rides out
    // a heapwatch restart or a single odd scrape.
    for: '5m',
    labels: { severity: c.severity, class: c.id },
    annotations: {
      summary: '{{ $labels.service }}: {{ $labels.summary }}, growing {{ $value | humanize }}B/h',
      description: `{{ $labels.service }} ({{ $labels.target }}) has an open ${c.id} finding at {{ $labels.function }}, growing {{ $value | humanize }}B/h. ${c.remediation}`,
      runbook_url: c.docUrl,
      finding_url: FINDING_URL,
    },
  };
}

function unclassifiedAlert(): AlertSpec {
  const c = classText('unclassified-growth');
  return {
    alert: 'HeapwatchUnclassifiedGrowth',
    uid: 'hw-unclassified-growth',
    title: 'HeapwatchUnclassifiedGrowth',
    comment: 'Sustained growth heapwatch could not attribute to a known class. Value: growth in bytes per hour.',
    query: findingGrowth(`class="${c.id}"`),
    // Longer than the class alerts: without a class there is less certainty it is a leak.
    for: '10m',
    labels: { severity: c.severity, class: c.id },
    annotations: {
      summary: '{{ $labels.service }}: {{ $labels.function }} keeps growing, {{ $value | humanize }}B/h (unclassified)',
      description: `{{ $labels.service }} ({{ $labels.target }}): memory allocated by {{ $labels.function }} grows {{ $value | humanize }}B/h and is never freed ({{ $labels.summary }}). ${c.remediation}`,
      runbook_url: c.docUrl,
      finding_url: FINDING_URL,
    },
  };
}

function goroutineLeakAlert(): AlertSpec {
  const c = classText('goroutine-leak');
  return {
    alert: 'HeapwatchGoroutineLeak',
    uid: 'hw-goroutine-leak',
    title: 'HeapwatchGoroutineLeak',
    comment:
      "Goroutines pile up: an open goroutine-leak finding (sustained growth in the goroutine profile, or goroutines Go's goroutineleak profile proved leaked). The alert keeps the finding's severity: critical once proven leaked goroutines keep growing.",
    query: `heapwatch_finding_open{class="${c.id}", ${PAGING}} == 1`,
    // heapwatch holds findings before opening them: `for` only rides out a restart.
    for: '5m',
    labels: { severity: '{{ $labels.severity }}', class: c.id },
    annotations: {
      summary: '{{ $labels.service }}: {{ $labels.summary }}',
      description: `{{ $labels.service }} ({{ $labels.target }}) has an open goroutine-leak finding ({{ $labels.severity }}): {{ $labels.summary }}. Each leaked goroutine keeps its stack and everything it references. ${c.remediation}`,
      runbook_url: c.docUrl,
    },
  };
}

/*
 * Go module versions below the fixed ones, as Prometheus regexes (anchored by
 * Prometheus): releases, pre-releases of the fixed version (v0.2.5-rc1) and
 * pseudo-versions (v0.0.0-2022..., v0.2.5-0.2022...-abcdef, which sort before v0.2.5).
 *   netpoll < v0.2.5: v0.0.x, v0.1.x, v0.2.0..v0.2.4 (+ pre/build), v0.2.5-*
 *   kitex   < v0.3.3: v0.0.x..v0.2.x, v0.3.0..v0.3.2 (+ pre/build), v0.3.3-*
 */
export const NETPOLL_BELOW_025 = 'v0\\\\.[01]\\\\.[0-9]+([-+].*)?|v0\\\\.2\\\\.[0-4]([-+].*)?|v0\\\\.2\\\\.5-.+';
const KITEX_BELOW_033 = 'v0\\\\.[0-2]\\\\.[0-9]+([-+].*)?|v0\\\\.3\\\\.[0-2]([-+].*)?|v0\\\\.3\\\\.3-.+';

function vulnerableModuleAlert(): AlertSpec {
  const vuln = VULNERABLE_VERSIONS.find((v) => v.module === 'github.com/cloudwego/netpoll' && v.below === 'v0.2.5');
  if (!vuln) throw new Error('VULNERABLE_VERSIONS has no netpoll < v0.2.5 entry: update the HeapwatchVulnerableModule regexes');
  const c = classText(vuln.classId);
  return {
    alert: 'HeapwatchVulnerableModule',
    uid: 'hw-vulnerable-module',
    title: 'HeapwatchVulnerableModule',
    comment:
      'A service links a netpoll with the barrier leak: netpoll < v0.2.5, or Kitex < v0.3.3 (which pins such a netpoll) unless the same target shows netpoll was upgraded separately.',
    query: [
      `heapwatch_module_info{module="github.com/cloudwego/netpoll", version=~"${NETPOLL_BELOW_025}"} == 1`,
      'or',
      '(',
      `  heapwatch_module_info{module="github.com/cloudwego/kitex", version=~"${KITEX_BELOW_033}"} == 1`,
      '    unless on (target)',
      `  heapwatch_module_info{module="github.com/cloudwego/netpoll", version!~"${NETPOLL_BELOW_025}"}`,
      ')',
    ].join('\n'),
    for: '15m',
    labels: { severity: 'warning', class: c.id },
    annotations: {
      summary: '{{ $labels.service }}: uses {{ $labels.module }}@{{ $labels.version }}, which has the netpoll barrier leak',
      description: `{{ $labels.service }} ({{ $labels.target }}) runs {{ $labels.module }}@{{ $labels.version }}: ${vuln.note}. ${c.remediation}`,
      runbook_url: c.docUrl,
    },
  };
}

/** heapwatch's own health: the target it cannot scrape, itself, its store, its scrapes. */
const SELF_ALERTS: readonly AlertSpec[] = [
  {
    alert: 'HeapwatchTargetDown',
    uid: 'hw-target-down',
    title: 'HeapwatchTargetDown',
    comment:
      "heapwatch cannot fetch a target's heap profile (scraped every 60s by default): the service is down, pprof is not exposed, or the network is in the way. Leak detection for that target is blind meanwhile.",
    query: 'heapwatch_target_up',
    threshold: { op: '==', value: 0 },
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.service }}: heapwatch cannot scrape {{ $labels.target }}',
      description:
        'heapwatch has failed to fetch the heap profile of {{ $labels.service }} at {{ $labels.target }} for 10 minutes, so leaks there go undetected. See heapwatch_scrapes_total{outcome="error"} for the error code (HW_ERR_*) and check that the service is up and serves net/http/pprof.',
      runbook_url: `${RUNBOOK}#heapwatchtargetdown`,
    },
  },
  {
    alert: 'HeapwatchDown',
    uid: 'hw-down',
    title: 'HeapwatchDown',
    comment: 'Prometheus cannot scrape heapwatch itself.',
    query: 'up{job="heapwatch"}',
    threshold: { op: '==', value: 0 },
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'heapwatch {{ $labels.instance }} is down',
      description:
        'Prometheus cannot scrape heapwatch at {{ $labels.instance }} for 5 minutes: no heap profiles are collected and no leak alerts can fire.',
      runbook_url: `${RUNBOOK}#heapwatchdown`,
    },
  },
  {
    alert: 'HeapwatchStoreUnhealthy',
    uid: 'hw-store-unhealthy',
    title: 'HeapwatchStoreUnhealthy',
    comment: 'heapwatch cannot write to its SQLite database.',
    query: 'heapwatch_store_healthy',
    threshold: { op: '==', value: 0 },
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'heapwatch {{ $labels.instance }} cannot write to its database',
      description:
        'heapwatch at {{ $labels.instance }} has failed to write scraped profiles to its store for 10 minutes (see heapwatch_store_write_errors_total by code): history and leak detection are stalled. Check disk space and the storage.path volume.',
      runbook_url: `${RUNBOOK}#heapwatchstoreunhealthy`,
    },
  },
  {
    alert: 'HeapwatchScrapeErrorsHigh',
    uid: 'hw-scrape-errors-high',
    title: 'HeapwatchScrapeErrorsHigh',
    comment:
      "More than half of all scrapes of a heapwatch replica fail: a problem on heapwatch's side (network, DNS, config) rather than one service.",
    query: [
      'sum by (job, instance) (rate(heapwatch_scrapes_total{outcome="error"}[30m]))',
      '  /',
      'sum by (job, instance) (rate(heapwatch_scrapes_total[30m]))',
    ].join('\n'),
    threshold: { op: '>', value: 0.5 },
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'heapwatch {{ $labels.instance }}: {{ $value | humanizePercentage }} of profile scrapes fail',
      description:
        "{{ $value | humanizePercentage }} of the heap profile scrapes of heapwatch at {{ $labels.instance }} failed over the last 30 minutes, across all of its targets. Look at heapwatch_scrapes_total{outcome=\"error\"} by code (HW_ERR_*) and heapwatch's log.",
      runbook_url: `${RUNBOOK}#heapwatchscrapeerrorshigh`,
    },
  },
];

/** Every alert, in the order of the generated files. */
export function alertSpecs(): AlertSpec[] {
  // Unclassified growth and goroutine leaks have rules of their own (their value is not a byte rate alone).
  const leak = CLASS_TEXTS.filter((c) => c.id !== 'unclassified-growth' && c.id !== 'goroutine-leak').map(leakClassAlert);
  return [...leak, unclassifiedAlert(), goroutineLeakAlert(), vulnerableModuleAlert(), ...SELF_ALERTS];
}

/** The PromQL a Prometheus rule evaluates: the query, compared with the threshold if there is one. */
export function ruleExpr(spec: AlertSpec): string {
  if (!spec.threshold) return spec.query;
  const { op, value } = spec.threshold;
  return spec.query.includes('\n') ? `${spec.query}\n  ${op} ${value}` : `${spec.query} ${op} ${value}`;
}
