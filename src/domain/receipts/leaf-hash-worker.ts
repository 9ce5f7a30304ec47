import { parentPort } from 'node:worker_threads';
import { SaltedLeaves, StreamingMerkle } from './merkle';

/*
 * The worker thread of LeafHashWorker (leaf-hash-thread.ts): keeps one streaming tree per sink and
 * hashes the leaves pushed into it, in order, on a core of its own. Every request is answered with
 * its `reply` number once done; messages are handled one at a time, in the order sent.
 */

/** What the main thread asks. */
export type LeafHashRequest =
  | { op: 'push'; reply: number; sink: number; salt: Uint8Array; type: string; ids: string[] }
  | { op: 'root'; reply: number; sink: number }
  | { op: 'discard'; reply: number; sink: number };

/** The answer to request `reply`: a root (hex) and leaf count for `root`, nothing else otherwise. */
export interface LeafHashReply {
  reply: number;
  root?: string;
  size?: number;
}

const trees = new Map<number, { tree: StreamingMerkle; leaves: SaltedLeaves }>();

parentPort?.on('message', (request: LeafHashRequest) => {
  const answer: LeafHashReply = { reply: request.reply };
  if (request.op === 'push') {
    const sink = trees.get(request.sink) ?? {
      tree: new StreamingMerkle(),
      leaves: new SaltedLeaves(Buffer.from(request.salt)),
    };
    trees.set(request.sink, sink);
    for (const id of request.ids) sink.tree.push(sink.leaves.leaf(request.type, id));
  } else if (request.op === 'root') {
    const tree = trees.get(request.sink)?.tree ?? new StreamingMerkle();
    trees.delete(request.sink);
    Object.assign(answer, { root: tree.root().toString('hex'), size: tree.size });
  } else {
    trees.delete(request.sink);
  }
  parentPort!.postMessage(answer);
});
