/**
 * `check-config`'s checks beyond the schema: what would fail when the daemon
 * starts or scrapes, found before it does. Files that cannot be read (token,
 * password and CA files of targets and discovery blocks, the API token file)
 * and an API address that is taken. Each problem is one line naming the key
 * path, the file or address, and the reason.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Config, ScrapeSettings } from './schema.js';

/** Problems found, one line each; empty when the config would start. */
export async function checkConfigEnvironment(config: Config, file: string): Promise<string[]> {
  const problems: string[] = [];
  const checkFile = (path: string | undefined, key: string): void => {
    if (path === undefined) return;
    const reason = unreadable(path);
    if (reason) problems.push(`${file}: ${key}: cannot read ${path}: ${reason}`);
  };
  const checkSettings = (s: ScrapeSettings, at: string): void => {
    checkFile(s.bearer_token_file, `${at}.bearer_token_file`);
    checkFile(s.basic_auth?.password_file, `${at}.basic_auth.password_file`);
    checkFile(s.tls?.ca_file, `${at}.tls.ca_file`);
  };
  config.targets.forEach((t, i) => checkSettings(t, `targets[${i}]`));
  config.file_sd.forEach((b, i) => checkSettings(b, `file_sd[${i}]`));
  config.http_sd.forEach((b, i) => checkSettings(b, `http_sd[${i}]`));
  checkFile(config.api.auth_token_file, 'api.auth_token_file');
  const taken = await listenProblem(config.api.listen);
  if (taken) problems.push(`${file}: api.listen: ${config.api.listen}: ${taken}`);
  if (config.push.enabled) {
    checkFile(config.push.auth_token_file, 'push.auth_token_file');
    checkFile(config.push.basic_auth?.password_file, 'push.basic_auth.password_file');
    const pushTaken = config.push.listen === undefined ? undefined : await listenProblem(config.push.listen);
    if (pushTaken) problems.push(`${file}: push.listen: ${config.push.listen}: ${pushTaken}`);
  }
  return problems;
}

function unreadable(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return 'is a directory';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message);
  }
}

/** Binds the address and lets it go; the reason it cannot be bound, or undefined. */
function listenProblem(listen: string): Promise<string | undefined> {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EADDRNOTAVAIL' ? 'this host has no such address' : err.code === 'EACCES' ? 'permission denied (a port below 1024?)' : err.message);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
