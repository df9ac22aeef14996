/**
 * heapwatch's command line: argv -> run | check-config | top | analyze | diff | import
 * (src/cli/main.ts is the executable that calls runCli).
 * Each subcommand is a thin shell over the packages. Exit codes (README,
 * "CLI exit codes"): 0 ok, 1 an error with its code and message on stderr,
 * 2 usage (unknown command or option, missing argument), 70 an internal
 * error (a bug: the stack is printed only with HEAPWATCH_DEBUG=1).
 * No user error prints a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkConfigEnvironment } from '../config/check.js';
import { loadConfigFile } from '../config/load.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseBytes, parseDuration } from '../config/units.js';
import { writeFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_DETECT_PARAMS, detectParamsOver, type DetectParams } from '../detect/params.js';
import { HeapwatchError, isHeapwatchError } from '../errors.js';
import { analyzeFiles, findingsJson, renderReport } from './analyze.js';
import { collectProfileFiles, noProfilesError } from './profile-files.js';
import { diffReport, renderDiff } from './diff.js';
import { registerImport } from './import.js';
import type { Finding } from '../detect/findings.js';
import { VERSION } from '../version.js';
import { isSampleIndex, readProfileFile, renderTop, SAMPLE_INDEXES, topReport } from './top.js';

const DECODE_LIMITS = { maxDecompressedBytes: parseBytes(DEFAULTS.global.max_decompressed_bytes)! };

/** Where a command writes: the process's streams, or a buffer in unit tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (the progress bar of `analyze`). */
  stderrIsTTY?: boolean;
}

/** The command tree, writing to `io`. A fresh one per run: commander keeps parse state. */
export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program.name('heapwatch').description('Catches memory leaks in Go services from their heap profiles.').version(VERSION);
  // Usage errors throw (exit 2 below) instead of commander exiting with 1; subcommands inherit it.
  program.exitOverride();
  program.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

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
    .action(async (file: string) => {
      const config = loadConfigFile(file);
      const problems = await checkConfigEnvironment(config, file);
      if (problems.length > 0) throw new HeapwatchError('HW_ERR_CONFIG_INVALID', `${problems.length} problem(s) that would fail at run time:\n${problems.join('\n')}`);
      io.stdout(
        `${file}: ok (${config.targets.length} static target(s), ${config.file_sd.length} file_sd block(s), ${config.http_sd.length} http_sd block(s)${config.push.enabled ? `, push receivers on ${config.push.listen ?? config.api.listen}` : ''})\n`,
      );
    });

  program
    .command('top')
    .description('print per-function flat and cum values of a heap, goroutine or goroutineleak profile, like `go tool pprof -top`')
    .argument('<profile>', 'heap, goroutine or goroutineleak profile (gzipped or not)')
    .addOption(
      new Option('-s, --sample-index <index>', 'sample type (default: inuse_space for heap profiles, the goroutine count for goroutine profiles)').choices([...SAMPLE_INDEXES]),
    )
    .option('--cum', 'sort by cumulative value', false)
    .option('--json', 'print JSON covering every function', false)
    .option('-n, --nodecount <n>', 'functions to print (text output)', positiveInt, 50)
    .action((file: string, opts: { sampleIndex?: string; cum: boolean; json: boolean; nodecount: number }) => {
      if (opts.sampleIndex !== undefined && !isSampleIndex(opts.sampleIndex)) throw new InvalidArgumentError(opts.sampleIndex);
      const report = topReport(file, { sampleIndex: opts.sampleIndex, cum: opts.cum, ...DECODE_LIMITS });
      io.stdout(opts.json ? `${JSON.stringify(report)}\n` : `${renderTop(report, opts.nodecount)}\n`);
    });

  program
    .command('analyze')
    .description("run the daemon's detectors over heap, goroutine or goroutineleak profiles you already have (one target's series; mixed targets and kinds are judged separately)")
    .argument('<paths...>', 'profile files (gzipped or not, any name), or folders searched recursively for them')
    .option('--json', 'print { "findings": [...], "notes": [...] }', false)
    .option('--window <duration>', 'detect.window: the shortest horizon judged', (v: string) => durationArg(v))
    .option('--min-window <duration>', 'detect.min_window: shortest history judged', (v: string) => durationArg(v))
    .option('--min-points <n>', 'detect.min_points: fewest changed profiles judged', positiveInt)
    .option('--for <duration>', 'detect.for: how long the condition must hold', (v: string) => durationArg(v))
    .option('--resolve-after <duration>', 'detect.resolve_after', (v: string) => durationArg(v))
    .option('--min-growth <size>', 'detect.min_growth_bytes (e.g. 4MiB)', sizeArg)
    .option('--min-growth-ratio <ratio>', 'detect.min_growth_ratio (share of the heap)', ratioArg)
    .option('--max-p-value <p>', 'detect.max_p_value (Mann–Kendall)', ratioArg)
    .option('--horizons <durations>', 'detect.horizons: longer horizons, comma-separated (e.g. 6h,24h)', (v: string) => v.split(',').map((d) => durationArg(d.trim())))
    .option('--warmup <duration>', 'detect.warmup: process age before growth can be a leak (0s: off)', (v: string) => durationArg(v, true))
    .option('--interval <duration>', 'how far apart profiles without a time_nanos were taken (Go always writes one; default 1m)', (v: string) => durationArg(v))
    .option('--daemon <url>', "a running daemon's address (api.external_url or api.listen): print each finding's page there", daemonArg)
    .option('--token <token>', "the daemon's api.auth_token (default: $HEAPWATCH_TOKEN)")
    .action(async (paths: string[], opts: AnalyzeOptions) => {
      const files = collectProfileFiles(paths);
      if (files.length === 0) throw noProfilesError(paths);
      const params = analyzeParams(opts);
      const bar = !opts.json && io.stderrIsTTY && files.length >= 20 ? new SingleBar({ clearOnComplete: true, stream: process.stderr }, Presets.shades_classic) : undefined;
      bar?.start(files.length * 2, 0);
      const result = analyzeFiles(files, params, (done) => bar?.update(done), opts.interval);
      bar?.stop();
      if (result.mixWarning) io.stderr(`heapwatch: warning: ${result.mixWarning}\n`);
      const pages = opts.daemon ? await findingPages(opts.daemon, opts.token ?? process.env.HEAPWATCH_TOKEN, result.findings) : undefined;
      if (opts.json) {
        const json = findingsJson(result);
        if (pages) json.findings = json.findings.map((f) => ({ ...f, page: pages.get(`${String(f.class)}|${String(f.function)}`) ?? null }));
        io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        io.stdout(`${renderReport(result)}\n`);
        if (pages) io.stdout(`${renderPages(opts.daemon!, result.findings, pages)}\n`);
      }
    });

  registerImport(program, io);

  program
    .command('diff')
    .description('show what grew between two heap (or two goroutine) profiles; optionally write a diff profile for go tool pprof')
    .argument('<base>', 'the earlier profile')
    .argument('<profile>', 'the later profile')
    .option('-o, --output <file>', 'write an inuse (or goroutine count) diff profile (base negated, as go tool pprof -diff_base does)')
    .option('-n, --nodecount <n>', 'functions to print', positiveInt, 20)
    .option('--json', 'print the report as JSON', false)
    .action(async (base: string, profile: string, opts: { output?: string; nodecount: number; json: boolean }) => {
      const report = diffReport(base, profile, DECODE_LIMITS);
      if (opts.output) {
        const { diffProfiles } = await import('../pprof/diff.js');
        const out = diffProfiles(readProfileFile(base), readProfileFile(profile), DECODE_LIMITS);
        try {
          writeFileSync(opts.output, out);
        } catch (err) {
          throw new HeapwatchError('HW_ERR_BAD_REQUEST', `cannot write ${opts.output}: ${describeFsError(err)}`, { cause: err });
        }
      }
      io.stdout(opts.json ? `${JSON.stringify(report)}\n` : `${renderDiff(report, opts.nodecount)}\n`);
      if (opts.output && !opts.json) io.stdout(`\nwrote ${opts.output}: go tool pprof -top ${opts.output}\n`);
    });

  return program;
}

interface AnalyzeOptions {
  json: boolean;
  window?: number;
  minWindow?: number;
  minPoints?: number;
  for?: number;
  resolveAfter?: number;
  minGrowth?: number;
  minGrowthRatio?: number;
  maxPValue?: number;
  horizons?: number[];
  warmup?: number;
  /** Spacing of profiles without a time_nanos. */
  interval?: number;
  daemon?: string;
  token?: string;
}

/** Each finding's page on the daemon, by class and function. */
async function findingPages(daemon: string, token: string | undefined, findings: readonly Finding[]): Promise<Map<string, string>> {
  const { daemonPage, fetchDaemonFindings } = await import('./daemon-links.js');
  const found = await fetchDaemonFindings(daemon, token);
  const pages = new Map<string, string>();
  for (const f of findings) {
    const page = daemonPage(daemon, found, f);
    if (page) pages.set(`${f.classId}|${f.function}`, page);
  }
  return pages;
}

function renderPages(daemon: string, findings: readonly Finding[], pages: Map<string, string>): string {
  const lines = ['', `Finding pages on ${daemon}:`];
  for (const f of findings) lines.push(`  ${f.classId} ${f.function}: ${pages.get(`${f.classId}|${f.function}`) ?? 'not found on the daemon'}`);
  return lines.join('\n');
}

function daemonArg(value: string): string {
  if (!/^https?:\/\/[^\s/?#]+/.test(value)) throw new InvalidArgumentError(`expected the daemon's URL like http://127.0.0.1:9464, got "${value}"`);
  return value;
}

/** The daemon's defaults, overridden by the `detect.*` flags given (as a target's `detect:` block would: params.ts). */
function analyzeParams(o: AnalyzeOptions): DetectParams {
  const p = detectParamsOver(DEFAULT_DETECT_PARAMS, {
    window: o.window,
    min_window: o.minWindow,
    min_points: o.minPoints,
    for: o.for,
    resolve_after: o.resolveAfter,
    min_growth_bytes: o.minGrowth,
    min_growth_ratio: o.minGrowthRatio,
    max_p_value: o.maxPValue,
    horizons: o.horizons,
    warmup: o.warmup,
  });
  if (p.minWindowMs > p.windowMs) throw new InvalidArgumentError('--min-window must not exceed --window');
  return p;
}

function durationArg(value: string, zeroOk = false): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0 || (!zeroOk && ms === 0)) throw new InvalidArgumentError(`expected a duration like "30m" or "6h", got "${value}"`);
  return ms;
}

function sizeArg(value: string): number {
  const n = parseBytes(value);
  if (n === undefined || n <= 0) throw new InvalidArgumentError(`expected a size like "4MiB", got "${value}"`);
  return n;
}

function ratioArg(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (err as Error).message;
}

/**
 * Runs one command line. Resolves with the exit code of a failure (1 an
 * error with its code, 2 usage, 70 internal), or undefined on success: the
 * caller then lets the process end by itself (`run` keeps it alive).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  try {
    await buildProgram(io).parseAsync(argv);
    return undefined;
  } catch (err) {
    // Commander has printed the usage error already; help and --version are not errors.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isHeapwatchError(err)) {
      io.stderr(`heapwatch: ${err.code}: ${err.message}\n`);
      return 1;
    }
    const debug = process.env.HEAPWATCH_DEBUG === '1';
    const detail = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    io.stderr(`heapwatch: internal error: ${detail}${debug ? '' : ' (HEAPWATCH_DEBUG=1 prints the stack)'}\n`);
    return 70;
  }
}
