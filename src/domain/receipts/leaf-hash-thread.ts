import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LeafHashReply, LeafHashRequest } from './leaf-hash-worker';
import { LeafSink } from './leaf-sink';

/** Where the compiled worker sits: beside this file once built (dist/); absent when running from the TypeScript source. */
const WORKER_SCRIPT = path.join(__dirname, 'leaf-hash-worker.js');

type Request = LeafHashRequest extends infer R ? (R extends unknown ? Omit<R, 'reply'> : never) : never;

/**
 * Hashes receipts' leaves on a worker thread, so the executor's own thread only sends ids and the
 * hashing (about 1 s of CPU per 100,000 objects on the 2-core machine here) runs on the other core
 * while the database deletes (issue 23: ≤ 5% of the executor's time; bench/receipts.bench.ts).
 * The thread is unref'd: it never keeps the process alive.
 */
export class LeafHashThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (reply: LeafHashReply) => void; reject: (e: Error) => void }>();
  private nextReply = 0;
  private nextSink = 0;
  private failure: Error | undefined;

  constructor(script = WORKER_SCRIPT) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (reply: LeafHashReply) => {
      this.waiting.get(reply.reply)?.resolve(reply);
      this.waiting.delete(reply.reply);
    });
    // A dead worker fails every sink, now and later; their folds are dropped and the issuer rebuilds (removed-fold.ts).
    const fail = (error: Error) => {
      this.failure = error;
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the leaf hashing thread exited (${code})`)));
  }

  /** The thread when the compiled worker exists (a built server); undefined when running from source. */
  static startIfBuilt(): LeafHashThread | undefined {
    return existsSync(WORKER_SCRIPT) ? new LeafHashThread() : undefined;
  }

  /** A new sink whose tree lives in the thread. */
  sink(salt: Buffer): LeafSink {
    const sink = this.nextSink++;
    return {
      push: async (type, ids) => void (await this.ask({ op: 'push', sink, salt, type, ids: [...ids] })),
      root: async () => {
        const { root, size } = await this.ask({ op: 'root', sink });
        return { root: Buffer.from(root!, 'hex'), size: size! };
      },
      discard: () => void this.ask({ op: 'discard', sink }).catch(() => undefined),
    };
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private ask(request: Request): Promise<LeafHashReply> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = this.nextReply++;
    return new Promise((resolve, reject) => {
      this.waiting.set(reply, { resolve, reject });
      this.worker.postMessage({ ...request, reply });
    });
  }
}
