/**
 * A real Prometheus (the Debian package) for the end-to-end tests, running
 * the shipped config/prometheus/prometheus.yml and alerts.yml against one
 * heapwatch on loopback. Only what a test cannot wait for is changed: every
 * rule's `for:` is 1 s and scrapes and evaluations run every second.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { requireBinary } from './binaries.js';
import { freePort } from './daemon.js';
import { ROOT } from './paths.js';
import { startManaged, waitForHttp, type Managed } from './processes.js';

interface RuleFile {
  groups: { name: string; rules: { alert?: string; for?: string; expr: string }[] }[];
}

interface PrometheusConfig {
  global?: unknown;
  rule_files?: string[];
  alerting?: unknown;
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

export interface RunningPrometheus {
  url: string;
  proc: Managed;
}

/**
 * Starts Prometheus in `dir` scraping heapwatch at 127.0.0.1:`heapwatchPort`;
 * alerts go to the Alertmanager at `alertmanagerPort`, or nowhere without it.
 * Resolves once it is ready.
 */
export async function startPrometheus(dir: string, heapwatchPort: number, alertmanagerPort?: number): Promise<RunningPrometheus> {
  const prometheus = requireBinary('prometheus', 'apt-get install prometheus');
  const rules = parse(readFileSync(join(ROOT, 'config/prometheus/alerts.yml'), 'utf8')) as RuleFile;
  for (const g of rules.groups) for (const r of g.rules) if (r.for) r.for = '1s';
  writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
  const prom = parse(readFileSync(join(ROOT, 'config/prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
  prom.global = { scrape_interval: '1s', evaluation_interval: '1s' };
  prom.rule_files = [join(dir, 'alerts.yml')];
  if (alertmanagerPort === undefined) delete prom.alerting;
  else prom.alerting = { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] };
  prom.scrape_configs.find((j) => j.job_name === 'heapwatch')!.static_configs = [{ targets: [`127.0.0.1:${heapwatchPort}`] }];
  writeFileSync(join(dir, 'prometheus.yml'), stringify(prom));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startManaged(
    'prometheus',
    prometheus,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`],
    join(dir, 'prometheus.log'),
  );
  try {
    await waitForHttp(`${url}/-/ready`, 60_000, proc);
  } catch (err) {
    await proc.stop().catch(() => undefined);
    throw err;
  }
  return { url, proc };
}
