/**
 * Prometheus-style file-based discovery: JSON or YAML files holding
 * `[{ "targets": ["host:port", ...], "labels": {...} }]`. Files are watched
 * and also re-read every refresh_interval (watch events are not reliable on
 * every filesystem, e.g. a ConfigMap's symlink swap). A file that fails to
 * parse keeps its previous targets and is reported, as Prometheus does.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { globSync } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { delay, profileKinds, type Config, type FileSdConfig } from '../config/schema.js';
import { HeapwatchError } from '../errors.js';
import { buildTarget, discoveredUrl } from './build.js';
import { printable } from './repeat-filter.js';
import type { Target } from './target.js';

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const groupsSchema = z.array(
  z.strictObject({
    targets: z.array(z.string().min(1)),
    labels: z.record(z.string().regex(labelName), z.string()).optional(),
  }),
);

/** A parsed file_sd document (Prometheus's format): groups of targets sharing labels. */
export type TargetGroups = z.infer<typeof groupsSchema>;

/**
 * Parses a file_sd document (or an http_sd body); throws
 * HW_ERR_SD_FILE_INVALID naming the source and the problem. `format` defaults
 * to the file's extension: YAML is ~10x slower than JSON on large lists.
 */
export function parseTargetGroups(text: string, source: string, format: 'json' | 'yaml' = /\.json$/i.test(source) ? 'json' : 'yaml'): TargetGroups {
  const file = source;
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    // The parser quotes the offending input, which may be binary junk.
    throw new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${file}: ${printable((err as Error).message)}`, { cause: err });
  }
  const result = groupsSchema.safeParse(raw ?? []);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${file}: ${issue.path.join('.') || '(top level)'}: ${printable(issue.message)}`);
  }
  return result.data;
}

/**
 * A group's `__profiles__` label ("heap,goroutine") sets its targets'
 * profile kinds over the block's; like Prometheus's `__` labels it is
 * consumed, never exported.
 */
export const PROFILES_LABEL = '__profiles__';

/**
 * A group's `__detect_warmup__` label ("0s", "3h") sets its targets'
 * warm-up over the block's `detect:` (README: Per-target detection
 * settings): a registry or a Kubernetes annotation can say which services
 * fill caches at start. Consumed like `__profiles__`.
 */
export const WARMUP_LABEL = '__detect_warmup__';

export function targetsFromGroups(groups: TargetGroups, block: FileSdConfig | Config['http_sd'][number], global: Config['global'], source: string): Target[] {
  const out: Target[] = [];
  groups.forEach((g, i) => {
    const { [PROFILES_LABEL]: kinds, [WARMUP_LABEL]: warmup, ...labels } = g.labels ?? {};
    let settings = block;
    if (kinds !== undefined) {
      const parsed = profileKinds.safeParse(kinds.split(',').map((k) => k.trim()));
      if (!parsed.success) throw new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${source}: [${i}].labels.${PROFILES_LABEL}: ${printable(parsed.error.issues[0]!.message)} (got "${printable(kinds)}")`);
      settings = { ...settings, profiles: parsed.data };
    }
    if (warmup !== undefined) {
      const parsed = delay.safeParse(warmup.trim());
      if (!parsed.success) throw new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${source}: [${i}].labels.${WARMUP_LABEL}: ${printable(parsed.error.issues[0]!.message)}`);
      settings = { ...settings, detect: { ...settings.detect, warmup: parsed.data } };
    }
    for (const address of g.targets) out.push(buildTarget(discoveredUrl(address, block.scheme, block.path), labels, settings, global, source));
  });
  return out;
}

/** How file_sd reports a change, a failed file and its recovery. */
export interface FileSdEvents {
  onChange: () => void;
  /** `origin`: the file (or http_sd URL, redacted) that failed. */
  onError: (err: HeapwatchError, origin: string) => void;
  /** The origin read fine again after failing. */
  onRecovered?: (origin: string) => void;
}

/** Watches the file_sd blocks of one config; `targets()` is the current union. */
export class FileDiscovery {
  readonly #config: Config;
  readonly #events: FileSdEvents;
  readonly #byFile = new Map<string, Target[]>();
  #watcher: FSWatcher | undefined;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(config: Config, events: FileSdEvents) {
    this.#config = config;
    this.#events = events;
  }

  /** Reads the files and starts watching; resolves when the watcher is ready (changes from then on are seen). */
  async start(): Promise<void> {
    if (this.#config.file_sd.length === 0) return;
    this.refresh();
    const dirs = new Set(this.#config.file_sd.flatMap((b) => b.files.map((f) => dirname(f))));
    this.#watcher = chokidar.watch([...dirs], { ignoreInitial: true, depth: 0 });
    const ready = new Promise<void>((resolve) => this.#watcher!.once('ready', () => resolve()));
    this.#watcher.on('all', () => this.refresh());
    this.#watcher.on('error', (err) => this.#events.onError(new HeapwatchError('HW_ERR_SD_FILE_INVALID', `watch: ${String(err)}`), 'watch'));
    for (const block of this.#config.file_sd) {
      const t = setInterval(() => this.refresh(), block.refresh_interval);
      t.unref();
      this.#timers.push(t);
    }
    await ready;
  }

  /** Re-reads every file; notifies when the target set changed. */
  refresh(): void {
    const before = JSON.stringify([...this.#byFile.entries()]);
    const seen = new Set<string>();
    for (const block of this.#config.file_sd) {
      for (const file of globSync(block.files, { absolute: false, expandDirectories: false })) {
        seen.add(file);
        try {
          const groups = parseTargetGroups(readFileSync(file, 'utf8'), file);
          this.#byFile.set(file, targetsFromGroups(groups, block, this.#config.global, `file_sd:${file}`));
          this.#events.onRecovered?.(file);
        } catch (err) {
          // Keep the file's last good targets; a half-written file must not empty the fleet.
          this.#events.onError(err instanceof HeapwatchError ? err : new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${file}: ${printable((err as Error).message)}`), file);
        }
      }
    }
    for (const file of [...this.#byFile.keys()]) if (!seen.has(file)) this.#byFile.delete(file);
    if (JSON.stringify([...this.#byFile.entries()]) !== before) this.#events.onChange();
  }

  targets(): Target[] {
    return [...this.#byFile.values()].flat();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#watcher?.close();
  }
}
