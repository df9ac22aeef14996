/**
 * `npm run dashboards`: writes every generated observability file from the
 * code (dashboards/*.json, config/prometheus/alerts.yml and alerts.test.yml,
 * config/grafana/provisioning/alerting/heapwatch.yaml). The files are
 * committed; test/dashboards.test.ts fails when they differ from what this
 * writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './files.js';

/** The repository root: this file runs from dist/src/observability/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

for (const [path, text] of generatedFiles(ROOT)) {
  const abs = join(ROOT, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  console.log(`wrote ${path}`);
}
