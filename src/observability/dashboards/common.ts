/**
 * What the three heapwatch dashboards share, built with Grafana's foundation
 * SDK: the datasource/service/target variables, the Prometheus query through
 * the `${datasource}` variable, and small panel helpers that fix the look of
 * each panel kind in one place.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BarGaugeDisplayMode,
  BarGaugeNamePlacement,
  BarGaugeSizing,
  BarGaugeValueMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  FieldTextAlignment,
  GraphDrawStyle,
  GraphGradientMode,
  LegendDisplayMode,
  LegendPlacement,
  LineInterpolation,
  ReduceDataOptionsBuilder,
  SortOrder,
  TableCellDisplayMode,
  TableCellHeight,
  TableSortByFieldStateBuilder,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizOrientation,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type DataTransformerConfig,
  type DynamicConfigValue,
  type ValueMapping,
  type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TextPanel, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Selector matchers for the per-target metrics: every such query follows the service/target variables. */
export const BY_TARGET = 'service=~"$service", target=~"$target"';

/** A PromQL query of a panel. */
export interface Query {
  expr: string;
  legend?: string;
  /** Instant table query (tables, bar gauges); default: a range query. */
  table?: boolean;
}

function dataquery(q: Query, refId: string): DataqueryBuilder {
  const b = new DataqueryBuilder().refId(refId).expr(q.expr).datasource(DATASOURCE).legendFormat(q.legend ?? '__auto');
  return q.table ? b.instant().format(PromQueryFormat.Table) : b.range();
}

const REF_IDS = 'ABCDEFGHIJ';
function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((q, i) => dataquery(q, REF_IDS[i]!));
}

/** A panel's position and size on Grafana's 24-column grid. */
export interface Grid {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface PanelBase {
  id: number;
  title: string;
  description?: string;
  grid: Grid;
  queries: readonly Query[];
  unit?: string;
  overrides?: readonly { name: string; properties: DynamicConfigValue[] }[];
}

/** A threshold step: the color from this value up (null: the base color). */
export type Step = [color: string, from: number | null];
function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([color, value]) => ({ color, value })));
}

/** A value mapping from exact values to display text and/or color. */
export function valueMap(entries: Record<string, { text?: string; color?: string }>): ValueMapping[] {
  const options = Object.fromEntries(Object.entries(entries).map(([k, v], index) => [k, { ...v, index }]));
  return [{ type: MappingType.ValueToText, options }];
}

function base<T extends StatPanel | TimeseriesPanel | TablePanel | BarGaugePanel>(b: T, p: PanelBase): T {
  b.id(p.id).title(p.title).datasource(DATASOURCE).gridPos(p.grid).targets(targets(p.queries));
  if (p.description) b.description(p.description);
  if (p.unit) b.unit(p.unit);
  for (const o of p.overrides ?? []) b.overrideByName(o.name, o.properties);
  return b;
}

export function stat(p: PanelBase & { steps: readonly Step[]; mappings?: ValueMapping[]; graph?: boolean }): StatPanel {
  return base(new StatPanel(), p)
    .thresholds(thresholds(p.steps))
    .mappings(p.mappings ?? [])
    .reduceOptions(new ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields(''))
    .orientation(VizOrientation.Auto)
    .textMode(BigValueTextMode.Auto)
    .colorMode(BigValueColorMode.Background)
    .graphMode(p.graph ? BigValueGraphMode.Area : BigValueGraphMode.None)
    .justifyMode(BigValueJustifyMode.Auto)
    .wideLayout(true)
    .showPercentChange(false);
}

export function timeseries(p: PanelBase & { step?: boolean; min?: number; max?: number }): TimeseriesPanel {
  const b = base(new TimeseriesPanel(), p)
    .drawStyle(GraphDrawStyle.Line)
    .lineInterpolation(p.step ? LineInterpolation.StepAfter : LineInterpolation.Linear)
    .lineWidth(1)
    .fillOpacity(10)
    .gradientMode(GraphGradientMode.None)
    .showPoints(VisibilityMode.Never)
    .spanNulls(false)
    .axisSoftMin(0)
    .thresholds(thresholds([['green', null]]))
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).calcs(['lastNotNull', 'max']))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  return b;
}

export function table(
  p: PanelBase & { sortBy?: { column: string; desc: boolean }; transformations: DataTransformerConfig[] },
): TablePanel {
  const b = base(new TablePanel(), p)
    .unit(p.unit ?? 'short')
    .align(FieldTextAlignment.Auto)
    .cellOptions({ type: TableCellDisplayMode.Auto })
    .inspect(true)
    .filterable(true)
    .thresholds(thresholds([['green', null]]))
    .showHeader(true)
    .cellHeight(TableCellHeight.Sm)
    .transformations(p.transformations);
  if (p.sortBy) b.sortBy([new TableSortByFieldStateBuilder().displayName(p.sortBy.column).desc(p.sortBy.desc)]);
  return b;
}

export function barGauge(p: PanelBase): BarGaugePanel {
  return base(new BarGaugePanel(), p)
    .unit(p.unit ?? 'none')
    .min(0)
    .thresholds(thresholds([['orange', null], ['red', 5]]))
    .reduceOptions(new ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields(''))
    .orientation(VizOrientation.Horizontal)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .valueMode(BarGaugeValueMode.Color)
    .namePlacement(BarGaugeNamePlacement.Auto)
    .showUnfilled(true)
    .sizing(BarGaugeSizing.Auto);
}

export function markdown(p: { id: number; title: string; grid: Grid; content: string }): TextPanel {
  return new TextPanel().id(p.id).title(p.title).gridPos(p.grid).mode(TextMode.Markdown).content(p.content);
}

/** Removes the series labels that say nothing in a table (the heapwatch scrape's own job and instance). */
export function organize(opts: { exclude?: string[]; keep?: string[]; rename?: Record<string, string>; order?: string[] }): DataTransformerConfig {
  const excluded = ['Time', '__name__', 'job', 'instance', ...(opts.exclude ?? [])].filter((k) => !(opts.keep ?? []).includes(k));
  const excludeByName = Object.fromEntries(excluded.map((k) => [k, true]));
  const indexByName = Object.fromEntries((opts.order ?? []).map((k, i) => [k, i]));
  return { id: 'organize', options: { excludeByName, renameByName: opts.rename ?? {}, indexByName } };
}

export const MERGE: DataTransformerConfig = { id: 'merge', options: {} };

/** Severity cells colored like the alert routing: critical red, warning orange, info blue. */
export const SEVERITY_COLUMN = {
  name: 'severity',
  properties: [
    { id: 'mappings', value: valueMap({ critical: { color: 'red' }, warning: { color: 'orange' }, info: { color: 'blue' } }) },
    { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } },
  ],
};

/** The target cell links to the drill-down dashboard for that target. */
export const TARGET_DRILLDOWN = {
  name: 'target',
  properties: [
    {
      id: 'links',
      value: [
        {
          title: 'Drill down: ${__data.fields.target}',
          url: '/d/heapwatch-target/heapwatch-target-drill-down?${__url_time_range}&var-datasource=${datasource}&var-service=${__data.fields.service}&var-target=${__data.fields.target}',
        },
      ],
    },
  ],
};

/** The guide cell (added by withClassColumns) opens the CloudWeGo guide section. */
export const GUIDE_COLUMN = {
  name: 'guide',
  properties: [
    { id: 'links', value: [{ title: 'CloudWeGo guide for this class', url: '${__value.raw}', targetBlank: true }] },
    { id: 'custom.width', value: 120 },
  ],
};

export const unitOf = (name: string, unit: string): { name: string; properties: DynamicConfigValue[] } => ({ name, properties: [{ id: 'unit', value: unit }] });

function labelVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** A heapwatch dashboard with the shared settings and the datasource, service and target variables. */
export function heapwatchDashboard(uid: string, title: string, description: string, extraVariables: cog.Builder<VariableModel>[] = []): DashboardBuilder {
  const b = new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['heapwatch'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .timezone('')
    .refresh('1m')
    // Grafana's built-in annotations: alert state changes (the Grafana-managed heapwatch rules) on the panels.
    .annotation(
      new AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .type('dashboard'),
    )
    .link(new DashboardLinkBuilder('heapwatch').type(DashboardLinkType.Dashboards).tags(['heapwatch']).asDropdown(false).includeVars(true).keepTime(true).targetBlank(false).icon('external link').tooltip(''))
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus').current({ selected: false, text: 'Prometheus', value: 'prometheus' }))
    .withVariable(labelVariable('service', 'Service', 'label_values(heapwatch_target_up, service)'))
    .withVariable(labelVariable('target', 'Target', 'label_values(heapwatch_target_up{service=~"$service"}, target)'));
  for (const v of extraVariables) b.withVariable(v);
  return b;
}
