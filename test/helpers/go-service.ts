/**
 * Builds and runs the Go fixture services (real programs with
 * net/http/pprof) on 127.0.0.1 with an OS-chosen port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireGo } from './binaries.js';
import { FIXTURES } from './paths.js';

const built = new Map<string, string>();

/** Builds package `pkg` of the module in `test/fixtures/<dir>` once per test process (with -trimpath) and returns the binary. */
export function buildGoFixture(dir: string, pkg = '.'): string {
  const id = `${dir}:${pkg}`;
  const cached = built.get(id);
  if (cached) return cached;
  const go = requireGo();
  const out = join(mkdtempSync(join(tmpdir(), 'hw-go-')), id.replace(/\W+/g, '-'));
  execFileSync(go, ['build', '-trimpath', '-o', out, pkg], { cwd: join(FIXTURES, dir), stdio: ['ignore', 'inherit', 'inherit'] });
  built.set(id, out);
  return out;
}

export interface RunningService {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a fixture binary that prints `listening on http://HOST:PORT`, and waits for that line. */
export async function startGoService(binary: string, args: string[], timeoutMs = 15_000): Promise<RunningService> {
  const { match, service } = await startReadyProcess(binary, args, /^listening on (http:\/\/\S+)/, timeoutMs);
  return { ...service, url: match[1]! };
}

/** Starts a binary and waits for a stdout line matching `ready`. */
export async function startReadyProcess(
  binary: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 15_000,
): Promise<{ match: RegExpExecArray; service: RunningService }> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} did not print its ready line within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code} before it was ready`));
    });
  });
  const service: RunningService = {
    url: '',
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return { match, service };
}
