/**
 * Runs the real daemon in-process on a temporary config and SQLite file,
 * API on an OS-chosen loopback port.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon, type DaemonOptions } from '../../src/main.js';

export interface TestDaemon {
  daemon: Daemon;
  dir: string;
  configPath: string;
  dbPath: string;
}

export async function startTestDaemon(config: Record<string, unknown>, options: DaemonOptions = {}): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-daemon-'));
  const dbPath = join(dir, 'heapwatch.db');
  const full = {
    ...config,
    storage: { path: dbPath, ...(config.storage as object | undefined) },
    api: { listen: '127.0.0.1:0', ...(config.api as object | undefined) },
  };
  const configPath = join(dir, 'heapwatch.yaml');
  writeFileSync(configPath, stringify(full));
  const daemon = await startDaemon(configPath, { logLevel: 'silent', ...options });
  return { daemon, dir, configPath, dbPath };
}

/** Polls until `predicate` holds; fails with `what` after `timeoutMs`. Bounded: never loops forever. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A free loopback port (for services that must keep their port across a restart). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
