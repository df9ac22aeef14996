/**
 * What the daemon reads besides the config file: shard overrides from the
 * environment, the API token file, and the listen address split for Node.
 */
import { readFileSync } from 'node:fs';
import { HeapwatchError } from '../errors.js';
import type { Config } from './schema.js';

/** The API's bearer-token settings, when a token is configured. */
export interface ApiAuth {
  token: string;
  metricsOpen: boolean;
  healthOpen: boolean;
}

/** Reads api.auth_token(_file). A missing token file is a config error, not a half-started daemon. */
export function apiAuth(config: Config): ApiAuth | undefined {
  const token = config.api.auth_token ?? (config.api.auth_token_file ? readTokenFile(config.api.auth_token_file) : undefined);
  return token ? { token, metricsOpen: config.api.metrics_open, healthOpen: config.api.health_open } : undefined;
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new HeapwatchError('HW_ERR_CONFIG_READ', `api.auth_token_file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** HEAPWATCH_SHARD_INDEX / HEAPWATCH_SHARD_COUNT (e.g. from a StatefulSet ordinal) override the file. */
export function withEnvironment(config: Config, env: NodeJS.ProcessEnv): Config {
  const index = env.HEAPWATCH_SHARD_INDEX;
  const count = env.HEAPWATCH_SHARD_COUNT;
  if (index === undefined && count === undefined) return config;
  // Plain decimal digits only: Number('') is 0, and an empty variable (a
  // failed ${HOSTNAME##*-}) must not silently put every replica on shard 0.
  const parse = (v: string | undefined, fallback: number): number => (v === undefined ? fallback : /^\d+$/.test(v) ? Number(v) : NaN);
  const shard = { index: parse(index, config.shard.index), count: parse(count, config.shard.count) };
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw new HeapwatchError('HW_ERR_CONFIG_INVALID', `HEAPWATCH_SHARD_INDEX=${index} / HEAPWATCH_SHARD_COUNT=${count}: expected 0 <= index < count`);
  }
  return Object.freeze({ ...config, shard: Object.freeze(shard) });
}

/** '127.0.0.1:9464' → ['127.0.0.1', 9464]; '[::1]:9464' → ['::1', 9464]. */
export function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(listen.slice(i + 1))];
}
