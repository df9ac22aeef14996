/**
 * The export stage's metrics: per-function series and findings, which the
 * pipeline's function export and detector report, and the exposition
 * interface /metrics serves. The other stages keep their metrics beside them
 * (scrape/metrics.ts, store/metrics.ts, pipeline/metrics.ts);
 * daemon/metrics.ts puts them together on one registry and one set of
 * per-target families.
 *
 * Per-target series carry `target` (the scrape URL) and `service`; they are
 * removed when a target leaves the config, so a churning fleet does not
 * accumulate dead series. They live in TargetFamily (rendered and cached per
 * target, see target-families.ts); prom-client holds the fleet-wide metrics.
 */
import { Counter, type Registry } from 'prom-client';
import type { FindingEvent } from '../detect/findings.js';
import type { FunctionsView } from '../store/reader.js';
import type { ProfileOrigin } from '../targets/origin.js';
import type { TargetFamilies, TargetFamily } from './target-families.js';

/** What the /metrics routes serve. */
export interface MetricsExposition {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export class ExportMetrics {
  readonly findingOpen: TargetFamily<FindingLabel>;
  readonly findingGrowth: TargetFamily<FindingLabel>;
  readonly findingsRaised: Counter<'class' | 'severity'>;
  readonly moduleInfo: TargetFamily<'target' | 'service' | 'module' | 'version'>;
  readonly functionInuse: TargetFamily<'target' | 'service' | 'function'>;
  readonly functionGrowth: TargetFamily<'target' | 'service' | 'function'>;
  readonly functionSeriesDropped: TargetFamily<'target' | 'service'>;
  /** Per-target top-K function label sets currently exported, to drop the ones that fall out. */
  readonly #exportedFunctions = new Map<string, Set<string>>();
  readonly #services = new Map<string, string>();
  /** Per target, each open finding's exported label set (by finding key). */
  readonly #findingLabels = new Map<string, Map<string, Record<FindingLabel, string>>>();
  readonly #exportedModules = new Map<string, { target: string; service: string; module: string; version: string }[]>();

  /** The finding page's absolute URL for a finding, when api.external_url is set (src/web/links.ts). */
  findingUrl: ((targetKey: string, f: FindingEvent['finding']) => string | undefined) | undefined;

  constructor(registry: Registry, families: TargetFamilies) {
    const registers = [registry];
    const target = ['target', 'service'] as const;
    const findingLabels = ['target', 'service', 'class', 'severity', 'function', 'summary', 'finding_url'] as const;
    this.findingOpen = families.create('heapwatch_finding_open', 'Open leak findings: 1 per finding, labelled with its leak class, severity and key function.', 'gauge', findingLabels);
    this.findingGrowth = families.create('heapwatch_finding_growth_bytes_per_second', 'Growth rate of each open finding (Theil-Sen slope over the detection window).', 'gauge', findingLabels);
    this.findingsRaised = new Counter({
      name: 'heapwatch_findings_raised_total',
      help: 'Findings raised since start, by leak class and severity.',
      labelNames: ['class', 'severity'],
      registers,
    });
    this.moduleInfo = families.create('heapwatch_module_info', 'Go module versions read from the profile filenames of the target (1 per module@version).', 'gauge', [...target, 'module', 'version']);
    this.functionInuse = families.create('heapwatch_function_inuse_bytes', "Flat inuse bytes of the target's top growing functions and of functions with open findings.", 'gauge', [
      ...target,
      'function',
    ]);
    this.functionGrowth = families.create('heapwatch_function_growth_bytes_per_second', 'Growth of the same functions over the last hour of the current process epoch.', 'gauge', [
      ...target,
      'function',
    ]);
    this.functionSeriesDropped = families.create(
      'heapwatch_function_series_dropped',
      'Functions of the target not exported per function (bounded cardinality); the API has them all.',
      'gauge',
      target,
    );
  }

  /**
   * Module versions of the target's current process (a new process replaces
   * the old set). Only the CloudWeGo and ByteDance modules the leak classes
   * and alerts are about: a typical service links dozens of modules, and one
   * series each for a thousand targets would dominate /metrics. The API and
   * findings' evidence have all of them.
   */
  observeModules(target: ProfileOrigin, modules: readonly { path: string; version: string }[]): void {
    for (const old of this.#exportedModules.get(target.key) ?? []) this.moduleInfo.remove(old);
    const now = modules
      .filter((m) => EXPORTED_MODULES.test(m.path))
      .map((m) => ({ target: target.key, service: target.labels.service ?? '', module: m.path, version: m.version }));
    for (const labels of now) this.moduleInfo.set(labels, 1);
    this.#exportedModules.set(target.key, now);
  }

  /**
   * Per-function series, bounded: the top `k` growers plus the functions with
   * open findings. Functions that fall out of the set are removed.
   */
  observeTopFunctions(target: ProfileOrigin, view: FunctionsView, k: number, keep: ReadonlySet<string>, totalFunctions: number): void {
    const t = ids(target);
    const chosen = view.functions.filter((f, i) => (i < k && f.deltaBytes > 0) || keep.has(f.name));
    const now = new Set(chosen.map((f) => f.name));
    const before = this.#exportedFunctions.get(target.key) ?? new Set<string>();
    for (const name of before) {
      if (now.has(name)) continue;
      this.functionInuse.remove({ ...t, function: name });
      this.functionGrowth.remove({ ...t, function: name });
    }
    for (const f of chosen) {
      this.functionInuse.set({ ...t, function: f.name }, f.inuseBytes);
      this.functionGrowth.set({ ...t, function: f.name }, f.bytesPerHour / 3600);
    }
    this.#exportedFunctions.set(target.key, now);
    this.functionSeriesDropped.set(t, Math.max(0, totalFunctions - chosen.length));
  }

  observeFinding(targetKey: string, e: FindingEvent): void {
    const f = e.finding;
    const url = this.findingUrl?.(targetKey, f);
    const labels = {
      target: targetKey,
      service: this.#services.get(targetKey) ?? '',
      class: f.classId,
      severity: f.severity,
      function: f.function,
      summary: f.headline,
      // Only with api.external_url set: the alert's finding_url annotation (src/observability/alert-specs.ts).
      ...(url ? { finding_url: url } : {}),
    } as Record<FindingLabel, string>;
    // An update may change a label (severity, headline): drop the finding's previous series, or it would stay open forever.
    const exported = this.#findingLabels.get(targetKey) ?? new Map<string, Record<FindingLabel, string>>();
    this.#findingLabels.set(targetKey, exported);
    const before = exported.get(f.key);
    if (before) {
      this.findingOpen.remove(before);
      this.findingGrowth.remove(before);
    }
    if (e.type === 'resolved') {
      exported.delete(f.key);
      return;
    }
    exported.set(f.key, labels);
    // A finding held at info in its process's warm-up that escalates is a warning raised.
    const escalated = e.type === 'updated' && before?.severity === 'info' && f.severity !== 'info';
    if (e.type === 'opened' || escalated) this.findingsRaised.inc({ class: f.classId, severity: f.severity });
    this.findingOpen.set(labels, 1);
    this.findingGrowth.set(labels, f.bytesPerHour / 3600);
  }

  /** Remembers a target's service label, for series keyed by target only. */
  registerTarget(target: ProfileOrigin): void {
    this.#services.set(target.key, target.labels.service ?? '');
  }

  /** Forgets what is remembered of a target that left the config (its series go with TargetFamilies.removeTarget). */
  removeTarget(target: Pick<ProfileOrigin, 'key'>): void {
    this.#exportedFunctions.delete(target.key);
    this.#exportedModules.delete(target.key);
    this.#services.delete(target.key);
    this.#findingLabels.delete(target.key);
  }
}

const EXPORTED_MODULES = /^github\.com\/(?:cloudwego|bytedance)\//;

type FindingLabel = 'target' | 'service' | 'class' | 'severity' | 'function' | 'summary' | 'finding_url';

export function ids(target: ProfileOrigin): { target: string; service: string } {
  return { target: target.key, service: target.labels.service ?? '' };
}
