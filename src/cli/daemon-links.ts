/**
 * `heapwatch analyze --daemon URL`: the same findings' pages in a running
 * daemon's UI. A local finding is matched to the daemon's by class and key
 * function (the open one first, else the latest), so the page shows the
 * history the daemon has stored for it.
 */
import { request } from 'undici';
import { HeapwatchError } from '../errors.js';

export interface DaemonFinding {
  id: number;
  class: string;
  function: string;
  state: 'open' | 'resolved';
  detected_at: string;
}

/** The daemon's findings (every state). With api.auth_token set on the daemon, pass its token. */
export async function fetchDaemonFindings(daemonUrl: string, token?: string): Promise<DaemonFinding[]> {
  const url = `${daemonUrl.replace(/\/+$/, '')}/api/v1/findings?state=all&limit=10000`;
  let res;
  try {
    res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (err) {
    throw new HeapwatchError('HW_ERR_BAD_REQUEST', `--daemon ${daemonUrl}: cannot reach the daemon: ${(err as Error).message}`, { cause: err });
  }
  if (res.statusCode === 401) {
    await res.body.dump();
    throw new HeapwatchError('HW_ERR_UNAUTHORIZED', `--daemon ${daemonUrl}: the daemon wants its API token (--token or HEAPWATCH_TOKEN)`);
  }
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new HeapwatchError('HW_ERR_BAD_REQUEST', `--daemon ${daemonUrl}: the daemon answered ${res.statusCode}`);
  }
  const body = (await res.body.json()) as { findings?: DaemonFinding[] };
  return body.findings ?? [];
}

/** The daemon's page for a finding of this class at this function, if it has one. */
export function daemonPage(daemonUrl: string, found: readonly DaemonFinding[], f: { classId: string; function: string }): string | undefined {
  const match = found
    .filter((d) => d.class === f.classId && d.function === f.function)
    .sort((a, b) => (a.state === b.state ? Date.parse(b.detected_at) - Date.parse(a.detected_at) : a.state === 'open' ? -1 : 1))[0];
  return match ? `${daemonUrl.replace(/\/+$/, '')}/findings/${match.id}` : undefined;
}
