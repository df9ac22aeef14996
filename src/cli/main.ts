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
import { readFileSync, writeFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { HeapwatchError, isHeapwatchError } from '../errors.js';
import { analyzeFiles, collectProfileFiles, findingsJson, renderReport } from './analyze.js';
import { diffReport, renderDiff } from './diff.js';
import { VERSION } from '../version.js';
import { isSampleIndex, renderTop, topReport } from './top.js';

const DECODE_LIMITS = { maxDecompressedBytes: parseBytes(DEFAULTS.global.max_decompressed_bytes)! };

const program = new Command();
program.name('heapwatch').description('Catches memory leaks in Go services from their heap profiles.').version(VERSION);

program
  .command('run')
  .description('run the daemon: scrape targets, store deltas, serve the API and /metrics')
  .requiredOption('-c, --config <file>', 'config file (YAML)')
  .action(async (opts: { config: string }) => {
    // Loaded here, not at the top: `top`, `diff` and `analyze` should not pay for the daemon's modules.
    const { startDaemon } = await import('../main.js');
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
    const report = topReport(file, { sampleIndex: opts.sampleIndex, cum: opts.cum, ...DECODE_LIMITS });
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${renderTop(report, opts.nodecount)}\n`);
  });

program
  .command('analyze')
  .description("run the daemon's detectors over heap profiles you already have (one target's series)")
  .argument('<paths...>', '.pb.gz / .pb files, or folders searched recursively')
  .option('--json', 'print { "findings": [...] }', false)
  .action((paths: string[], opts: { json: boolean }) => {
    const files = collectProfileFiles(paths);
    if (files.length === 0) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `no .pb.gz or .pb files under ${paths.join(', ')}`);
    const bar = !opts.json && process.stderr.isTTY && files.length >= 20 ? new SingleBar({ clearOnComplete: true, stream: process.stderr }, Presets.shades_classic) : undefined;
    bar?.start(files.length * 2, 0);
    const result = analyzeFiles(files, DEFAULT_DETECT_PARAMS, (done) => bar?.update(done));
    bar?.stop();
    process.stdout.write(opts.json ? `${JSON.stringify(findingsJson(result), null, 2)}\n` : `${renderReport(result)}\n`);
  });

program
  .command('diff')
  .description('show what grew between two heap profiles; optionally write an inuse diff profile for go tool pprof')
  .argument('<base>', 'the earlier profile')
  .argument('<profile>', 'the later profile')
  .option('-o, --output <file>', 'write an inuse diff profile (base negated, as go tool pprof -diff_base does)')
  .option('-n, --nodecount <n>', 'functions to print', positiveInt, 20)
  .option('--json', 'print the report as JSON', false)
  .action(async (base: string, profile: string, opts: { output?: string; nodecount: number; json: boolean }) => {
    const report = diffReport(base, profile, DECODE_LIMITS);
    if (opts.output) {
      const { diffProfiles } = await import('../pprof/diff.js');
      writeFileSync(opts.output, diffProfiles(readFileSync(base), readFileSync(profile), DECODE_LIMITS));
    }
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${renderDiff(report, opts.nodecount)}\n`);
    if (opts.output && !opts.json) process.stdout.write(`\nwrote ${opts.output}: go tool pprof -top ${opts.output}\n`);
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
