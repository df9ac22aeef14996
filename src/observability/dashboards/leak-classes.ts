/** "heapwatch / Leak classes": the CloudWeGo Kitex leak classes over the fleet, one repeated row per class. */
import { CustomVariableBuilder, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { CLASS_IDS } from '../../detect/classes.js';
import { NETPOLL_BELOW_025 } from '../alert-specs.js';
import { classTableMarkdown, classText, withClassColumns } from '../class-text.js';
import { BY_TARGET, GUIDE_COLUMN, SEVERITY_COLUMN, TARGET_DRILLDOWN, barGauge, heapwatchDashboard, markdown, organize, stat, table, timeseries } from './common.js';

const OF_CLASS = `class=~"$class", ${BY_TARGET}`;

export function leakClassesDashboard(): Dashboard {
  const barrier = classText('netpoll-barrier-leak');
  const classVariable = new CustomVariableBuilder('class')
    .label('Leak class')
    .values(CLASS_IDS.join(','))
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
  return heapwatchDashboard(
    'heapwatch-leak-classes',
    'heapwatch / Leak classes',
    'The CloudWeGo Kitex leak classes over the fleet: open findings and growth per class, vulnerable module versions, remediation.',
    [classVariable],
  )
    .withPanel(markdown({ id: 1, title: 'Leak classes and remediation', grid: { x: 0, y: 0, w: 24, h: 11 }, content: classTableMarkdown() }))
    .withPanel(
      barGauge({
        id: 2,
        title: 'Open findings by class',
        description: 'Count of open findings per leak class over the selected services/targets.',
        grid: { x: 0, y: 11, w: 8, h: 8 },
        queries: [{ expr: `count by (class) (heapwatch_finding_open{${OF_CLASS}})`, legend: '{{class}}', table: true }],
      }),
    )
    .withPanel(
      table({
        id: 3,
        title: 'Findings raised in range',
        description:
          'heapwatch_findings_raised_total increase over the time range, per class and severity, summed over heapwatch replicas (the counter has no service/target labels).',
        grid: { x: 8, y: 11, w: 8, h: 8 },
        queries: [{ expr: 'sum by (class, severity) (increase(heapwatch_findings_raised_total{class=~"$class"}[$__range]))', table: true }],
        overrides: [SEVERITY_COLUMN, { name: 'raised', properties: [{ id: 'decimals', value: 0 }] }],
        transformations: [organize({ rename: { Value: 'raised' }, order: ['class', 'severity', 'Value'] })],
      }),
    )
    .withPanel(
      table({
        id: 4,
        title: 'Vulnerable module versions (netpoll < v0.2.5)',
        description: `Targets running github.com/cloudwego/netpoll < v0.2.5 (barrier leak, class ${barrier.id}), from heapwatch_module_info. ${barrier.remediation}`,
        grid: { x: 16, y: 11, w: 8, h: 8 },
        queries: [
          {
            expr: `max by (service, target, module, version) (heapwatch_module_info{${BY_TARGET}, module="github.com/cloudwego/netpoll", version=~"${NETPOLL_BELOW_025}"})`,
            table: true,
          },
        ],
        overrides: [TARGET_DRILLDOWN],
        transformations: [organize({ exclude: ['Value'], order: ['service', 'target', 'module', 'version'] })],
      }),
    )
    .withPanel(
      table({
        id: 5,
        title: 'CloudWeGo module versions across the fleet',
        description: 'How many selected targets run each version of each CloudWeGo / bytedance module (kitex, netpoll, sonic, ...).',
        grid: { x: 0, y: 19, w: 24, h: 8 },
        queries: [
          {
            expr: `count by (module, version) (max by (service, target, module, version) (heapwatch_module_info{${BY_TARGET}, module=~"github.com/(cloudwego|bytedance)/.*"}))`,
            table: true,
          },
        ],
        sortBy: { column: 'module', desc: false },
        transformations: [organize({ rename: { Value: 'targets' }, order: ['module', 'version', 'Value'] })],
      }),
    )
    .withRow(new RowBuilder('Class: $class').id(6).repeat('class').collapsed(false).gridPos({ x: 0, y: 27, w: 24, h: 1 }))
    .withPanel(
      stat({
        id: 7,
        title: 'Open findings: $class',
        description: 'Open findings of this leak class over the selected services/targets.',
        grid: { x: 0, y: 28, w: 4, h: 8 },
        unit: 'none',
        steps: [['green', null], ['orange', 1]],
        queries: [{ expr: `count(heapwatch_finding_open{${OF_CLASS}}) or vector(0)`, legend: 'open' }],
      }),
    )
    .withPanel(
      barGauge({
        id: 8,
        title: 'Open findings by service: $class',
        description: 'Open findings of this class per service.',
        grid: { x: 4, y: 28, w: 6, h: 8 },
        queries: [{ expr: `count by (service) (heapwatch_finding_open{${OF_CLASS}})`, legend: '{{service}}', table: true }],
      }),
    )
    .withPanel(
      timeseries({
        id: 9,
        title: 'Growth rate by target: $class',
        description: 'Summed growth rate of the open findings of this class, per service and target.',
        grid: { x: 10, y: 28, w: 14, h: 8 },
        unit: 'Bps',
        queries: [{ expr: `sum by (service, target) (heapwatch_finding_growth_bytes_per_second{${OF_CLASS}})`, legend: '{{service}} {{target}}' }],
      }),
    )
    .withPanel(
      table({
        id: 10,
        title: 'Open findings: $class',
        description: "Open findings of this class with growth rate, and the remediation and CloudWeGo guide link from heapwatch's class catalogue.",
        grid: { x: 0, y: 36, w: 24, h: 8 },
        unit: 'Bps',
        queries: [
          {
            expr: withClassColumns(`max by (service, target, class, severity, function, summary) (heapwatch_finding_growth_bytes_per_second{${OF_CLASS}})`),
            table: true,
          },
        ],
        overrides: [SEVERITY_COLUMN, GUIDE_COLUMN],
        sortBy: { column: 'growth', desc: true },
        transformations: [
          organize({
            exclude: ['class'],
            rename: { Value: 'growth' },
            order: ['service', 'target', 'severity', 'function', 'summary', 'Value', 'remediation', 'guide'],
          }),
        ],
      }),
    )
    .build();
}
