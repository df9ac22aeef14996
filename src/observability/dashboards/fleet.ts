/** "heapwatch / Fleet overview": every scraped Go service at a glance. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { BY_TARGET, FINDING_PAGE_COLUMNS, SEVERITY_COLUMN, TARGET_DRILLDOWN, barGauge, heapwatchDashboard, organize, stat, table, timeseries, valueMap } from './common.js';

const PER_TARGET_UP = `max by (service, target) (heapwatch_target_up{${BY_TARGET}})`;

export function fleetDashboard(): Dashboard {
  return heapwatchDashboard(
    'heapwatch-fleet',
    'heapwatch / Fleet overview',
    'All Go services scraped by heapwatch: target health, heap sizes, fastest growers, open leak findings.',
  )
    .withPanel(
      stat({
        id: 1,
        title: 'Targets up',
        description: 'Targets whose last heap-profile scrape succeeded, out of all targets (deduplicated over heapwatch replicas).',
        grid: { x: 0, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['blue', null]],
        queries: [
          { expr: `sum(${PER_TARGET_UP})`, legend: 'up' },
          { expr: `count(${PER_TARGET_UP})`, legend: 'total' },
        ],
      }),
    )
    .withPanel(
      stat({
        id: 2,
        title: 'Targets down',
        description: 'Targets whose last scrape failed (heapwatch_target_up == 0).',
        grid: { x: 4, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['green', null], ['red', 1]],
        queries: [{ expr: `count(${PER_TARGET_UP} == 0) or vector(0)`, legend: 'down' }],
      }),
    )
    .withPanel(
      stat({
        id: 3,
        title: 'Open findings',
        description: 'Open leak findings over the selected targets (all severities, info included).',
        grid: { x: 8, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['green', null], ['orange', 1]],
        queries: [{ expr: `count(heapwatch_finding_open{${BY_TARGET}}) or vector(0)`, legend: 'open' }],
      }),
    )
    .withPanel(
      stat({
        id: 4,
        title: 'Critical findings',
        description: 'Open findings with severity critical.',
        grid: { x: 12, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['green', null], ['red', 1]],
        queries: [{ expr: `count(heapwatch_finding_open{${BY_TARGET}, severity="critical"}) or vector(0)`, legend: 'critical' }],
      }),
    )
    .withPanel(
      stat({
        id: 5,
        title: 'heapwatch store healthy',
        description:
          'heapwatch_store_healthy of every heapwatch replica (1 = last database write ok). Not filtered by service/target: the metric has neither label.',
        grid: { x: 16, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['red', null], ['green', 1]],
        mappings: valueMap({ '0': { text: 'FAILING' }, '1': { text: 'OK' } }),
        queries: [{ expr: 'min(heapwatch_store_healthy)', legend: 'store' }],
      }),
    )
    .withPanel(
      stat({
        id: 6,
        title: 'Targets scraped (all replicas)',
        description: 'Sum of heapwatch_targets over the heapwatch replicas: targets configured or discovered (no service/target labels, so not filtered).',
        grid: { x: 20, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['blue', null]],
        queries: [{ expr: 'sum(heapwatch_targets)', legend: 'targets' }],
      }),
    )
    .withPanel(
      table({
        id: 7,
        title: 'Down targets',
        description:
          'Targets whose last scrape failed. The query returns every target; the table keeps the rows with value 0. See "Scrape outcomes" for the error codes.',
        grid: { x: 0, y: 4, w: 24, h: 7 },
        queries: [{ expr: `heapwatch_target_up{${BY_TARGET}}`, table: true }],
        overrides: [TARGET_DRILLDOWN],
        transformations: [
          {
            id: 'filterByValue',
            options: { type: 'include', match: 'any', filters: [{ fieldName: 'Value', config: { id: 'lower', options: { value: 1 } } }] },
          },
          // heapwatch_target_up's instance is the service's own (honor_labels), so it stays.
          organize({ keep: ['instance'], rename: { Value: 'up', exported_instance: 'instance (target)' } }),
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 8,
        title: 'In-use heap per target',
        description: 'Total inuse_space of each Go process at its latest heap profile (as of the last GC).',
        grid: { x: 0, y: 11, w: 24, h: 9 },
        unit: 'bytes',
        queries: [{ expr: `max by (service, target) (heapwatch_target_inuse_bytes{${BY_TARGET}})`, legend: '{{service}} {{target}}' }],
      }),
    )
    .withPanel(
      table({
        id: 9,
        title: 'Fastest growing functions',
        description:
          'Top 10 functions by flat inuse growth over the last hour (heapwatch exports the top-K growers per target plus functions with open findings).',
        grid: { x: 0, y: 20, w: 12, h: 9 },
        unit: 'Bps',
        queries: [{ expr: `topk(10, max by (service, target, function) (heapwatch_function_growth_bytes_per_second{${BY_TARGET}}))`, table: true }],
        overrides: [TARGET_DRILLDOWN],
        sortBy: { column: 'growth', desc: true },
        transformations: [organize({ rename: { Value: 'growth' }, order: ['service', 'target', 'function', 'Value'] })],
      }),
    )
    .withPanel(
      table({
        id: 10,
        title: 'Fastest growing findings',
        description: 'Top 10 open findings by growth rate (Theil-Sen slope over the detection window).',
        grid: { x: 12, y: 20, w: 12, h: 9 },
        unit: 'Bps',
        queries: [
          {
            expr: `topk(10, max by (service, target, class, severity, function, summary, finding_url) (heapwatch_finding_growth_bytes_per_second{${BY_TARGET}}))`,
            table: true,
          },
        ],
        overrides: [TARGET_DRILLDOWN, SEVERITY_COLUMN, ...FINDING_PAGE_COLUMNS],
        sortBy: { column: 'growth', desc: true },
        transformations: [organize({ rename: { Value: 'growth' }, order: ['service', 'target', 'class', 'severity', 'function', 'summary', 'Value'] })],
      }),
    )
    .withPanel(
      barGauge({
        id: 11,
        title: 'Open findings by class',
        description: 'Count of open findings per leak class. Remediation per class: see the "heapwatch / Leak classes" dashboard.',
        grid: { x: 0, y: 29, w: 8, h: 8 },
        queries: [{ expr: `count by (class) (heapwatch_finding_open{${BY_TARGET}})`, legend: '{{class}}', table: true }],
      }),
    )
    .withPanel(
      table({
        id: 12,
        title: 'Open findings by service, class and severity',
        description: 'Open findings counted per service, leak class and severity.',
        grid: { x: 8, y: 29, w: 16, h: 8 },
        queries: [{ expr: `count by (service, class, severity) (heapwatch_finding_open{${BY_TARGET}})`, table: true }],
        overrides: [SEVERITY_COLUMN],
        sortBy: { column: 'open findings', desc: true },
        transformations: [organize({ rename: { Value: 'open findings' }, order: ['service', 'class', 'severity', 'Value'] })],
      }),
    )
    .withPanel(
      timeseries({
        id: 13,
        title: 'Scrape outcomes by code',
        description: 'Heap-profile scrapes per second by outcome (ok, stale = no GC since the last scrape, error) and error code.',
        grid: { x: 0, y: 37, w: 12, h: 8 },
        unit: 'ops',
        queries: [{ expr: `sum by (outcome, code) (rate(heapwatch_scrapes_total{${BY_TARGET}}[$__rate_interval]))`, legend: '{{outcome}} {{code}}' }],
        overrides: [{ name: 'error', properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }],
      }),
    )
    .withPanel(
      timeseries({
        id: 14,
        title: 'heapwatch scrape duration (all targets)',
        description: 'Fetch time per profile (HTTP request and body; decoding and storing run later and are not included) over all targets of all heapwatch replicas (histogram without target labels).',
        grid: { x: 12, y: 37, w: 12, h: 8 },
        unit: 's',
        queries: [
          { expr: 'histogram_quantile(0.5, sum by (le) (rate(heapwatch_scrape_duration_seconds_bucket[$__rate_interval])))', legend: 'p50' },
          { expr: 'histogram_quantile(0.95, sum by (le) (rate(heapwatch_scrape_duration_seconds_bucket[$__rate_interval])))', legend: 'p95' },
          {
            expr: 'sum(rate(heapwatch_scrape_duration_seconds_sum[$__rate_interval])) / sum(rate(heapwatch_scrape_duration_seconds_count[$__rate_interval]))',
            legend: 'mean',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 15,
        title: 'Top 10 targets by goroutines',
        description: 'Goroutines at the latest goroutine profile of the targets that send one (profiles: [heap, goroutine]); a steady climb is what the goroutine-leak class judges.',
        grid: { x: 0, y: 45, w: 24, h: 8 },
        unit: 'short',
        queries: [{ expr: `topk(10, max by (service, target) (heapwatch_target_goroutines{${BY_TARGET}, kind="goroutine"}))`, legend: '{{service}} {{target}}' }],
      }),
    )
    .build();
}
