/**
 * Tests that need an external binary (go, promtool, ...) fail loudly when it
 * is missing; they are never skipped. CI installs every one of them.
 */
import { execFileSync } from 'node:child_process';

export function requireBinary(name: string, hint: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`required binary "${name}" is not on PATH: ${hint}`);
  }
}

export function requireGo(): string {
  return requireBinary('go', 'install Go 1.26 (CI: .ci/run)');
}
