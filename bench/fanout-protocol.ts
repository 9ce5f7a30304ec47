import type { ChildProcess } from 'node:child_process';

/** What bench/fanout.bench.ts and its two children (fanout-server, fanout-clients) tell each other over IPC. */

/** The two servers compared: ours (graphql-ws subscribers of the app) and a bare `ws` broadcast. */
export type Kind = 'ours' | 'bare';

export type ServerCommand = { cmd: 'rss' } | { cmd: 'setFrame'; frame: string } | { cmd: 'broadcast' };
export type ServerReply = { ready: string } | { rss: number } | { done: true };

export type ClientsCommand =
  /** Opens `count` sockets spread evenly over `overMs`; ours sign in and subscribe to `query`. */
  | { cmd: 'connect'; kind: Kind; url: string; token: string; query: string; count: number; overMs: number }
  /** How many of `kind`'s sockets have received at least one event (a subscription is live), and all frames so far. */
  | { cmd: 'live'; kind: Kind }
  /** Counts the next `count` events of `kind`, replies `armed`, then `received` once all arrived. */
  | { cmd: 'expect'; kind: Kind; count: number }
  /** The text of one event frame as ours received it (the bare server broadcasts the same). */
  | { cmd: 'sample' }
  | { cmd: 'disconnect' };

export interface ConnectOutcome {
  opened: number;
  acked: number;
  /** Close codes seen before an ack (4408: connection_init timed out), with their counts. */
  closes: Record<string, number>;
  /** From the first socket opened to the last ack (or close). */
  ms: number;
}

export type ClientsReply =
  | { connected: ConnectOutcome }
  | { live: number; frames: number }
  | { armed: true }
  | { received: true }
  | { sample: string }
  | { disconnected: true };

/** Resolves with the child's next message that has `key` (register before causing it). */
export function replyOf<R extends object, K extends string>(
  child: ChildProcess,
  key: K,
): Promise<Extract<R, Record<K, unknown>>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: R) => {
      if (!(key in reply)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply as Extract<R, Record<K, unknown>>);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) before answering ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `command` to a child and resolves with its first reply that has `key`. */
export function ask<R extends object, K extends string>(
  child: ChildProcess,
  command: ServerCommand | ClientsCommand,
  key: K,
): Promise<Extract<R, Record<K, unknown>>> {
  const reply = replyOf<R, K>(child, key);
  child.send(command);
  return reply;
}
