/**
 * `heapwatch import --config FILE --target NAME [--label k=v ...] PATH...`:
 * loads profile files into the daemon's store (see src/import/importer.ts).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { loadConfigFile } from '../config/load.js';
import { importFiles, renderImportSummary } from '../import/importer.js';
import { createImportSink, type ImportOrigin } from '../import/store-sink.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/db.js';
import { collectProfileFiles, noProfilesError } from './profile-files.js';
import type { CliIo } from './program.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  const name = i > 0 ? value.slice(0, i) : '';
  if (!LABEL_NAME.test(name)) throw new InvalidArgumentError(`expected k=v with a label name like "service", got "${value}"`);
  return { ...previous, [name]: value.slice(i + 1) };
}

function targetName(value: string): string {
  if (!/^[\w.:@/-]{1,200}$/.test(value)) throw new InvalidArgumentError(`expected a name of letters, digits and . _ - : @ /, got "${value}"`);
  return value;
}

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description("load heap profile files into the daemon's store as if scraped at their own times, and run detection")
    .requiredOption('-c, --config <file>', 'config file (YAML): storage.path, detect.* and limits')
    .requiredOption('-t, --target <name>', "the imported target's name (its key is import:<name>)", targetName)
    .option('-l, --label <k=v>', 'a label of the target (repeatable); service defaults to the name', labelArg, {})
    .argument('<paths...>', 'profile files (gzipped or not, any name), or folders searched recursively for them')
    .action(async (paths: string[], opts: { config: string; target: string; label: Record<string, string> }) => {
      const config = loadConfigFile(opts.config);
      const files = collectProfileFiles(paths);
      if (files.length === 0) throw noProfilesError(paths);
      const origin: ImportOrigin = {
        key: `import:${opts.target}`,
        url: `import:${opts.target}`,
        labels: { service: opts.target, instance: `import:${opts.target}`, ...opts.label },
        source: 'import',
        intervalMs: config.global.scrape_interval,
        limits: { maxSamples: config.global.max_samples, maxLocations: config.global.max_locations, maxFunctions: config.global.max_functions },
      };
      const db = openDatabase(config.storage.path);
      try {
        const sink = createImportSink(db, config, createLogger('warn', process.stderr));
        const bar = io.stderrIsTTY ? new SingleBar({ clearOnComplete: true, stream: process.stderr, format: 'import [{bar}] {value}/{total}' }, Presets.shades_classic) : undefined;
        bar?.start(files.length * 2, 0);
        const summary = await importFiles(files, origin, sink, { maxDecompressedBytes: config.global.max_decompressed_bytes, ...origin.limits }, (done) => bar?.update(done));
        bar?.stop();
        io.stdout(`${renderImportSummary(summary, origin)}\n`);
      } finally {
        db.close();
      }
    });
}
