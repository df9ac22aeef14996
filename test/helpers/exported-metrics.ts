/**
 * The metric names heapwatch exports, read from the exporter itself (a fresh
 * registry with every heapwatch metric and the process metrics), so the alert
 * rule and dashboard tests check against the truth, not a copied list.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HeapwatchMetrics } from '../../src/daemon/metrics.js';

function exporter(): HeapwatchMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapwatch_' });
  return new HeapwatchMetrics(registry);
}

/** The per-target families: every series of them carries `target` and `service`. */
export function perTargetMetricNames(): string[] {
  return exporter()
    .metricNames()
    .filter((m) => m.perTarget)
    .map((m) => m.name);
}

export function exportedMetricNames(): string[] {
  const names: string[] = [];
  for (const { name, type } of exporter().metricNames()) {
    names.push(name);
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    if (type === 'summary') names.push(`${name}_sum`, `${name}_count`);
  }
  return names;
}
