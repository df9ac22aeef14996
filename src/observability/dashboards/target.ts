/** "heapwatch / Target drill-down": one Go service target in detail. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { classTableMarkdown, withClassColumns } from '../class-text.js';
import { BY_TARGET, FINDING_PAGE_COLUMNS, GUIDE_COLUMN, MERGE, SEVERITY_COLUMN, heapwatchDashboard, markdown, organize, stat, table, timeseries, unitOf, valueMap } from './common.js';

const perTarget = (metric: string): string => `max by (service, target) (${metric}{${BY_TARGET}})`;
const perFunction = (metric: string): string => `max by (service, target, function) (${metric}{${BY_TARGET}})`;
const FINDING_LABELS = 'service, target, class, severity, function, summary, finding_url';

export function targetDashboard(): Dashboard {
  return heapwatchDashboard(
    'heapwatch-target',
    'heapwatch / Target drill-down',
    'One Go service target: heap over time, top growing functions, open findings with remediation, module versions, scrape health.',
  )
    .withPanel(
      stat({
        id: 1,
        title: 'Up',
        description: 'Last scrape of the target succeeded (1) or failed (0).',
        grid: { x: 0, y: 0, w: 4, h: 4 },
        unit: 'none',
        steps: [['red', null], ['green', 1]],
        mappings: valueMap({ '0': { text: 'DOWN' }, '1': { text: 'UP' } }),
        queries: [{ expr: perTarget('heapwatch_target_up'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      stat({
        id: 2,
        title: 'In-use heap',
        description: 'inuse_space at the latest profile.',
        grid: { x: 4, y: 0, w: 5, h: 4 },
        unit: 'bytes',
        steps: [['blue', null]],
        graph: true,
        queries: [{ expr: perTarget('heapwatch_target_inuse_bytes'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      stat({
        id: 3,
        title: 'Open findings',
        description: 'Open leak findings of the selected target(s).',
        grid: { x: 9, y: 0, w: 5, h: 4 },
        unit: 'none',
        steps: [['green', null], ['orange', 1]],
        queries: [{ expr: `count(heapwatch_finding_open{${BY_TARGET}}) or vector(0)`, legend: 'open' }],
      }),
    )
    .withPanel(
      stat({
        id: 4,
        title: 'Last scrape duration',
        description: 'Duration of the most recent scrape.',
        grid: { x: 14, y: 0, w: 5, h: 4 },
        unit: 's',
        steps: [['green', null], ['orange', 5]],
        queries: [{ expr: perTarget('heapwatch_target_scrape_duration_seconds'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      stat({
        id: 5,
        title: 'Functions not exported',
        description: 'Functions of the target left out of the per-function metrics (bounded cardinality); the heapwatch API has them all.',
        grid: { x: 19, y: 0, w: 5, h: 4 },
        unit: 'none',
        steps: [['blue', null]],
        queries: [{ expr: perTarget('heapwatch_function_series_dropped'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 6,
        title: 'In-use bytes',
        description: 'Total inuse_space of the Go process (as of the last GC).',
        grid: { x: 0, y: 4, w: 12, h: 8 },
        unit: 'bytes',
        queries: [{ expr: perTarget('heapwatch_target_inuse_bytes'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 7,
        title: 'In-use objects',
        description: 'Total inuse_objects of the Go process.',
        grid: { x: 12, y: 4, w: 12, h: 8 },
        unit: 'short',
        queries: [{ expr: perTarget('heapwatch_target_inuse_objects'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 8,
        title: 'Top growing functions: in-use bytes',
        description: 'Flat inuse bytes of the top-K growing functions (K=10 by default) and of functions with open findings.',
        grid: { x: 0, y: 12, w: 12, h: 9 },
        unit: 'bytes',
        queries: [{ expr: perFunction('heapwatch_function_inuse_bytes'), legend: '{{function}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 9,
        title: 'Top growing functions: growth rate',
        description: 'Growth of the same functions over the last hour of the current process.',
        grid: { x: 12, y: 12, w: 12, h: 9 },
        unit: 'Bps',
        queries: [{ expr: perFunction('heapwatch_function_growth_bytes_per_second'), legend: '{{function}}' }],
      }),
    )
    .withPanel(
      table({
        id: 10,
        title: 'Top growing functions (now)',
        description: 'Growth rate and flat inuse bytes of the exported functions at the latest evaluation, fastest first.',
        grid: { x: 0, y: 21, w: 24, h: 9 },
        queries: [
          { expr: perFunction('heapwatch_function_growth_bytes_per_second'), table: true },
          { expr: perFunction('heapwatch_function_inuse_bytes'), table: true },
        ],
        overrides: [unitOf('growth', 'Bps'), unitOf('inuse', 'bytes')],
        sortBy: { column: 'growth', desc: true },
        transformations: [
          MERGE,
          organize({ rename: { 'Value #A': 'growth', 'Value #B': 'inuse' }, order: ['service', 'target', 'function', 'Value #A', 'Value #B'] }),
        ],
      }),
    )
    .withPanel(
      table({
        id: 11,
        title: 'Open findings with remediation',
        description:
          "heapwatch_finding_open (one row per open finding) with its growth rate. The remediation and guide columns come from heapwatch's class catalogue, added per leak class by the query (label_replace); click a guide cell to open the CloudWeGo guide section.",
        grid: { x: 0, y: 30, w: 24, h: 10 },
        queries: [
          { expr: withClassColumns(`max by (${FINDING_LABELS}) (heapwatch_finding_open{${BY_TARGET}})`), table: true },
          { expr: withClassColumns(`max by (${FINDING_LABELS}) (heapwatch_finding_growth_bytes_per_second{${BY_TARGET}})`), table: true },
        ],
        overrides: [SEVERITY_COLUMN, GUIDE_COLUMN, ...FINDING_PAGE_COLUMNS, unitOf('growth', 'Bps')],
        sortBy: { column: 'growth', desc: true },
        transformations: [
          MERGE,
          organize({
            exclude: ['Value #A'],
            rename: { 'Value #B': 'growth' },
            order: ['service', 'target', 'class', 'severity', 'function', 'summary', 'Value #B', 'remediation', 'guide'],
          }),
        ],
      }),
    )
    .withPanel(markdown({ id: 12, title: 'Remediation per leak class', grid: { x: 0, y: 40, w: 24, h: 10 }, content: classTableMarkdown() }))
    .withPanel(
      table({
        id: 13,
        title: 'Go module versions',
        description:
          'Go module versions read from the profile filenames (heapwatch_module_info). netpoll < v0.2.5 (Kitex < v0.3.3) has the barrier leak.',
        grid: { x: 0, y: 50, w: 12, h: 9 },
        queries: [{ expr: `max by (service, target, module, version) (heapwatch_module_info{${BY_TARGET}})`, table: true }],
        sortBy: { column: 'module', desc: false },
        transformations: [organize({ exclude: ['Value'], order: ['service', 'target', 'module', 'version'] })],
      }),
    )
    .withPanel(
      table({
        id: 14,
        title: 'Scrape outcomes in range',
        description: 'Scrapes over the dashboard time range by outcome and error code (code is empty for ok/stale).',
        grid: { x: 12, y: 50, w: 12, h: 9 },
        queries: [{ expr: `sum by (service, target, outcome, code) (increase(heapwatch_scrapes_total{${BY_TARGET}}[$__range]))`, table: true }],
        overrides: [{ name: 'scrapes', properties: [{ id: 'decimals', value: 0 }] }],
        transformations: [organize({ rename: { Value: 'scrapes' }, order: ['service', 'target', 'outcome', 'code', 'Value'] })],
      }),
    )
    .withPanel(
      timeseries({
        id: 15,
        title: 'Up',
        description: '1 if the last scrape succeeded.',
        grid: { x: 0, y: 59, w: 8, h: 7 },
        unit: 'none',
        step: true,
        min: 0,
        max: 1,
        queries: [{ expr: perTarget('heapwatch_target_up'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 16,
        title: 'Scrape duration',
        description: 'Fetch time of the most recent scrape of the target (decoding and storing not included).',
        grid: { x: 8, y: 59, w: 8, h: 7 },
        unit: 's',
        queries: [{ expr: perTarget('heapwatch_target_scrape_duration_seconds'), legend: '{{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 17,
        title: 'Scrape outcomes by code',
        description: 'Scrapes per second by outcome and error code; errors carry a code such as HW_ERR_SCRAPE_TIMEOUT.',
        grid: { x: 16, y: 59, w: 8, h: 7 },
        unit: 'ops',
        queries: [
          {
            expr: `sum by (target, outcome, code) (rate(heapwatch_scrapes_total{${BY_TARGET}}[$__rate_interval]))`,
            legend: '{{outcome}} {{code}} {{target}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 18,
        title: 'Goroutines',
        description:
          'Goroutines of the process at its latest goroutine profile, and those Go proved leaked at its latest goroutineleak profile (targets with profiles: [heap, goroutine] or goroutineleak). A goroutine-leak finding names the pile that grows.',
        grid: { x: 0, y: 66, w: 12, h: 8 },
        unit: 'short',
        queries: [{ expr: `max by (service, target, kind) (heapwatch_target_goroutines{${BY_TARGET}})`, legend: '{{kind}} {{target}}' }],
      }),
    )
    .withPanel(
      timeseries({
        id: 19,
        title: 'Goroutine profile fetches by outcome',
        description: 'Goroutine and goroutineleak fetches per second by outcome; unavailable = the target answered 404 once (its Go has no such profile) and is not asked again.',
        grid: { x: 12, y: 66, w: 12, h: 8 },
        unit: 'ops',
        queries: [
          {
            expr: `sum by (target, kind, outcome) (rate(heapwatch_goroutine_profile_fetches_total{${BY_TARGET}}[$__rate_interval]))`,
            legend: '{{kind}} {{outcome}} {{target}}',
          },
        ],
      }),
    )
    .build();
}
