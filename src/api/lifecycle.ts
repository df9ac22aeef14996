/**
 * The API server as a daemon component: listens at start, closes first at
 * stop (so no query hits a closing store). A port that is taken fails the
 * start with HW_ERR_API_LISTEN, and main.ts stops what already started.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { HeapwatchError } from '../errors.js';

export class ApiServer {
  readonly name = 'api';
  readonly app: FastifyInstance;
  readonly #listen: string;
  readonly #host: string;
  readonly #port: number;
  #address = '';

  constructor(app: FastifyInstance, listen: string, host: string, port: number) {
    this.app = app;
    this.#listen = listen;
    this.#host = host;
    this.#port = port;
  }

  /** Where it listens, e.g. http://127.0.0.1:9464 (after start). */
  get address(): string {
    return this.#address;
  }

  async start(): Promise<void> {
    try {
      this.#address = await this.app.listen({ host: this.#host, port: this.#port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new HeapwatchError('HW_ERR_API_LISTEN', `${this.#listen}: ${code === 'EADDRINUSE' ? 'address already in use' : (err as Error).message}`, { cause: err });
    }
  }

  applyConfig(_config: Config): void {
    // api.listen takes effect only after a restart; the token is read at start.
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
