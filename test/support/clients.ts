import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, Client as WsClient } from 'graphql-ws';
import { print } from 'graphql';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../../src/app';
import { DELETION_EVENTS_TOPIC, DeletionEventMessage } from '../../src/services/deletion-events';
import type { DeletionEventDelivery } from '../../src/resolvers/deletion-event-delivery';
import WebSocket from 'ws';
import { runMain } from './main-process';

/** What crossed the wire for one HTTP GraphQL request. */
export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** Posts a typed operation over real HTTP, as a frontend would. */
export async function request<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** Like `request`, but fails the test on any error and returns the data. */
export async function mustRequest<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
  token?: string,
): Promise<T> {
  const response = await request(url, document, variables, token);
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** The code of the first error, for asserting refusals. */
export function errorCode(response: GraphQLResponse<unknown>): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

/** A real graphql-ws client; `closed` resolves with the close event's code. */
export function connectWs(wsUrl: string, token?: string): { client: WsClient; closed: Promise<number> } {
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { closed: (event) => onClosed((event as { code: number }).code) },
    onNonLazyError: () => undefined,
  });
  return { client, closed };
}

/** Rejects with `what` if `promise` has not settled within `ms`: tests wait on events, never sleep. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A graphql-ws client whose connects and closes are recorded, for tests that follow a socket's life. */
export interface WatchedWs {
  client: WsClient;
  /** Close codes seen so far, in order. */
  closes: number[];
  /** Successful connects (acknowledged connection_init) so far. */
  connects: number;
  /** Resolves with the next close code. */
  nextClose(): Promise<number>;
  /** Resolves at the next acknowledged connection. */
  nextConnect(): Promise<void>;
}

/**
 * Opens a real graphql-ws client with a raw `authorization` connection param (omitted when undefined).
 * With `retryAttempts` > 0 it reconnects at once after a retryable close, as a browser client would.
 */
export function watchWs(wsUrl: string, authorization?: string, retryAttempts = 0): WatchedWs {
  const events = new EventEmitter();
  const watched: WatchedWs = {
    client: createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts,
      retryWait: async () => undefined,
      connectionParams: authorization === undefined ? {} : { authorization },
      on: {
        connected: () => {
          watched.connects += 1;
          events.emit('connected');
        },
        closed: (event) => {
          const { code } = event as { code: number };
          watched.closes.push(code);
          events.emit('closed', code);
        },
      },
      onNonLazyError: () => undefined,
    }),
    closes: [],
    connects: 0,
    nextClose: async () => ((await once(events, 'closed')) as [number])[0],
    nextConnect: async () => void (await once(events, 'connected')),
  };
  return watched;
}

/** The outcome of one operation over a socket: its result, or the close event / error that ended it. */
export type WsOutcome<T> =
  | { result: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] } }
  | { failure: unknown };

/** Runs one typed query or mutation over a graphql-ws client and returns what happened. */
export function executeWs<T, V>(
  client: WsClient,
  document: TypedDocumentNode<T, V>,
  variables?: V,
): Promise<WsOutcome<T>> {
  return new Promise((resolve) => {
    let outcome: WsOutcome<T> | undefined;
    client.subscribe<T>(
      { query: print(document), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (result) => (outcome = { result }),
        error: (failure) => resolve({ failure }),
        complete: () => resolve(outcome ?? { failure: new Error('completed without a result') }),
      },
    );
  });
}

/** The messages one process's pub/sub delivers on the deletion topic (each in its delivery), in arrival order. */
export class Inbox {
  readonly messages: DeletionEventMessage[] = [];
  private readonly arrivals = new EventEmitter();
  private readonly iterator: AsyncIterator<DeletionEventDelivery>;

  constructor(app: App) {
    this.iterator = app.pubSub.subscribe(DELETION_EVENTS_TOPIC)[Symbol.asyncIterator]();
    void this.pump();
  }

  /** Waits for `count` messages and removes them from the inbox. */
  async take(count: number, ms = 5_000): Promise<DeletionEventMessage[]> {
    while (this.messages.length < count) await within(once(this.arrivals, 'message'), ms, `${count} message(s)`);
    return this.messages.splice(0, count);
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private async pump(): Promise<void> {
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) return;
      this.messages.push(next.value.message);
      this.arrivals.emit('message');
    }
  }
}

/** A real `npm start` process (from dist/, built by `npm test`'s pretest) and how to stop it. */
export interface SpawnedServer {
  url: string;
  /** Everything the process wrote to stderr so far (its log). */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, for cleanup after a failure; does nothing once exited. */
  kill(): void;
}

/**
 * Starts `node dist/src/main.js` on a free port with `env` and waits for its banner, with a file
 * folder of its own. No fixed deadline: the process either prints its banner or exits (which rejects).
 */
export async function spawnServer(env: Record<string, string>): Promise<SpawnedServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-process-'));
  const main = runMain({ PORT: '0', NODE_ENV: 'test', LOG_LEVEL: 'error', DATA_DIR: dataDir, ...env });
  void main.exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    return { url: await main.ready, stderr: () => main.output.stderr, stop: main.stop, kill: main.kill };
  } catch (error) {
    main.kill();
    throw error;
  }
}
