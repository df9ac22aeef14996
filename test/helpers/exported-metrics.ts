/**
 * The metric names heapwatch exports, read from the exporter itself (a fresh
 * registry with every heapwatch metric and the process metrics), so the alert
 * rule and dashboard tests check against the truth, not a copied list.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HeapwatchMetrics } from '../../src/export/metrics.js';

export function exportedMetricNames(): string[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapwatch_' });
  new HeapwatchMetrics(registry);
  const names: string[] = [];
  for (const m of registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    names.push(name);
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    if (type === 'summary') names.push(`${name}_sum`, `${name}_count`);
  }
  return names;
}
