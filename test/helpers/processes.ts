/**
 * Long-running external processes for end-to-end tests (Prometheus,
 * Alertmanager, the heapwatch CLI): logs to a file, readiness by polling an
 * HTTP URL, teardown by PID (SIGTERM, then SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

export function startManaged(name: string, command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Managed {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
  return {
    name,
    child,
    logFile,
    log: () => readFileSync(logFile, 'utf8'),
    stop: () => stopByPid(child),
  };
}

export async function stopByPid(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 2xx. Bounded by `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, proc?: Managed): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.log().slice(-2000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})${proc ? `\n${proc.log().slice(-2000)}` : ''}`);
}
