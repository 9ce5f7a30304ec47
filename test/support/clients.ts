import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, Client as WsClient } from 'graphql-ws';
import { getOperationAST, print } from 'graphql';
import { EventEmitter, once } from 'node:events';
import { App } from '../../src/app';
import { DELETION_EVENTS_TOPIC, DeletionEventMessage } from '../../src/domain/deletion/deletion-events';
import type { DeletionEventDelivery } from '../../src/graphql/deletion-event-delivery';
import WebSocket from 'ws';
import { settles, waitFor } from './wait-for';

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

/** A graphql-ws client whose connects and closes are recorded, for tests that follow a socket's life. */
export interface WatchedWs {
  client: WsClient;
  /** Close codes seen so far, in order. */
  closes: number[];
  /** Successful connects (acknowledged connection_init) so far. */
  connects: number;
  /** Resolves with the next close code (by the stall rule of `waitFor`, as every wait here). */
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
    nextClose: async () => ((await settles(once(events, 'closed'), { what: 'the socket to close' })) as [number])[0],
    nextConnect: async () => void (await settles(once(events, 'connected'), { what: 'the socket to connect' })),
  };
  return watched;
}

/** The outcome of one operation over a socket: its result, or the close event / error that ended it. */
export type WsOutcome<T> =
  | { result: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] } }
  | { failure: unknown };

/**
 * Runs one query or mutation over a graphql-ws client and returns what happened: a typed document,
 * or raw text for what a typed document cannot express (a syntax error, a flood).
 */
export function executeWs<T, V>(
  client: WsClient,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
): Promise<WsOutcome<T>> {
  const query = typeof document === 'string' ? document : print(document);
  const answered = new Promise<WsOutcome<T>>((resolve) => {
    let outcome: WsOutcome<T> | undefined;
    client.subscribe<T>(
      { query, variables: (variables ?? {}) as Record<string, unknown> },
      {
        next: (result) => (outcome = { result }),
        error: (failure) => resolve({ failure }),
        complete: () => resolve(outcome ?? { failure: new Error('completed without a result') }),
      },
    );
  });
  const name = typeof document === 'string' ? undefined : getOperationAST(document)?.name?.value;
  return settles(answered, { what: `the outcome of ${name ?? 'an operation'} over the socket` });
}

/** The messages one process's pub/sub delivers on the deletion topic (each in its delivery), in arrival order. */
export class Inbox {
  readonly messages: DeletionEventMessage[] = [];
  private readonly iterator: AsyncIterator<DeletionEventDelivery>;

  constructor(app: App) {
    this.iterator = app.pubSub.subscribe(DELETION_EVENTS_TOPIC)[Symbol.asyncIterator]();
    void this.pump();
  }

  /** Waits for `count` messages (each arrival is progress) and removes them from the inbox. */
  async take(count: number): Promise<DeletionEventMessage[]> {
    await waitFor(() => this.messages.length >= count, {
      what: `${count} message(s)`,
      progress: () => this.messages.length,
    });
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
    }
  }
}
