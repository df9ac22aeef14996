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
  const metrics = new HeapwatchMetrics(registry);
  const names: string[] = [];
  for (const { name, type } of metrics.metricNames()) {
    names.push(name);
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    if (type === 'summary') names.push(`${name}_sum`, `${name}_count`);
  }
  return names;
}
