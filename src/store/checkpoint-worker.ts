/**
 * Worker thread that checkpoints the daemon's WAL through its own
 * connection (see checkpointer.ts for why). It reports each checkpoint's
 * outcome to the parent and stops when told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** The checkpoint worker's start-up data. */
export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

/** One checkpoint's outcome, posted to the daemon for its metrics and logs. */
export type CheckpointReport =
  | { type: 'checkpoint'; ok: true; busy: boolean; walFrames: number; checkpointedFrames: number; ms: number }
  | { type: 'checkpoint'; ok: false; message: string; ms: number };

const { path, intervalMs } = workerData as CheckpointWorkerData;
const port = parentPort!;
const db = new Database(path);
db.pragma('busy_timeout = 5000');

function checkpoint(): void {
  const t0 = performance.now();
  let report: CheckpointReport;
  try {
    // PASSIVE: copies what it can without waiting for, or blocking, the writer.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    report = { type: 'checkpoint', ok: true, busy: row!.busy !== 0, walFrames: row!.log, checkpointedFrames: row!.checkpointed, ms: performance.now() - t0 };
  } catch (err) {
    report = { type: 'checkpoint', ok: false, message: (err as Error).message, ms: performance.now() - t0 };
  }
  port.postMessage(report);
}

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
