#!/usr/bin/env node
/**
 * heapwatch's command line: argv -> run | check-config | top | analyze | diff.
 * Each subcommand is a thin shell over the packages; exit codes: 0 ok,
 * 1 a handled error (its code and message on stderr), 2 usage.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigFile } from '../config/load.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseBytes } from '../config/units.js';
import { isHeapwatchError } from '../errors.js';
import { VERSION } from '../export/metrics.js';
import { startDaemon } from '../main.js';
import { isSampleIndex, renderTop, topReport } from './top.js';

const program = new Command();
program.name('heapwatch').description('Catches memory leaks in Go services from their heap profiles.').version(VERSION);

program
  .command('run')
  .description('run the daemon: scrape targets, store deltas, serve the API and /metrics')
  .requiredOption('-c, --config <file>', 'config file (YAML)')
  .action(async (opts: { config: string }) => {
    const daemon = await startDaemon(opts.config);
    process.on('SIGHUP', () => void daemon.reload());
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      daemon.log.info({ signal }, 'shutting down');
      daemon.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          daemon.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });

program
  .command('check-config')
  .description('validate a config file and exit (non-zero when invalid)')
  .argument('<file>', 'config file (YAML)')
  .action((file: string) => {
    const config = loadConfigFile(file);
    process.stdout.write(
      `${file}: ok (${config.targets.length} static target(s), ${config.file_sd.length} file_sd block(s), ${config.http_sd.length} http_sd block(s))\n`,
    );
  });

program
  .command('top')
  .description('print per-function flat and cum values of a heap profile, like `go tool pprof -top`')
  .argument('<profile>', 'heap profile (.pb.gz or .pb)')
  .addOption(
    new Option('-s, --sample-index <index>', 'sample type').choices(['inuse_space', 'inuse_objects', 'alloc_space', 'alloc_objects']).default('inuse_space'),
  )
  .option('--cum', 'sort by cumulative value', false)
  .option('--json', 'print JSON covering every function', false)
  .option('-n, --nodecount <n>', 'functions to print (text output)', positiveInt, 50)
  .action((file: string, opts: { sampleIndex: string; cum: boolean; json: boolean; nodecount: number }) => {
    if (!isSampleIndex(opts.sampleIndex)) throw new InvalidArgumentError(opts.sampleIndex);
    const report = topReport(file, { sampleIndex: opts.sampleIndex, cum: opts.cum, maxDecompressedBytes: parseBytes(DEFAULTS.global.max_decompressed_bytes)! });
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${renderTop(report, opts.nodecount)}\n`);
  });

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isHeapwatchError(err)) {
    process.stderr.write(`heapwatch: ${err.code}: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`heapwatch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
