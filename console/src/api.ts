import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { print } from 'graphql/language/printer';
import { createClient } from 'graphql-ws';
import { DeletionEventsDocument, type DeletionEventsSubscription } from '../../operations/generated.js';

/** The API's endpoint, on the console's own origin: HTTP for queries and mutations, WebSocket for events. */
const GRAPHQL_PATH = '/graphql';

export type DeletionEvent = DeletionEventsSubscription['deletionEvents'];

/** A GraphQL error as the API reports it: its code (extensions.code) and message, both shown to the user. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: { code?: unknown } }[];
}

/** The first error of a response as an ApiError, or undefined when there is none. */
function firstError(response: GraphQLResponse<unknown>, status?: number): ApiError | undefined {
  const [error] = response.errors ?? [];
  if (!error) return undefined;
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : `HTTP_${status ?? 'ERROR'}`;
  return new ApiError(code, error.message);
}

/** Printed once per document: the generated documents are ASTs, the wire wants their text. */
const printed = new WeakMap<DocumentNode, string>();
function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

/** Queries and mutations over plain fetch with the signed-in user's token. */
export class Api {
  /** Replaced when the console renews its token (issuer sign-in); the next request and socket use the new one. */
  constructor(public token: string) {}

  /** Runs a generated operation; rejects with an ApiError carrying the first error's code. */
  async request<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
  ): Promise<Result> {
    const response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify({ query: queryText(document), variables }),
    });
    const body = (await response.json()) as GraphQLResponse<Result>;
    const error = firstError(body, response.status);
    if (error) throw error;
    if (!body.data) throw new ApiError(`HTTP_${response.status}`, 'The server answered without data.');
    return body.data;
  }

  /** Downloads `url` with the token (a plain link cannot send it) and saves the body as `fileName`. */
  async download(url: string, fileName: string): Promise<void> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) {
      const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT' }[response.status];
      throw new ApiError(code ?? `HTTP_${response.status}`, 'The download was refused.');
    }
    const href = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href, download: fileName });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }

  /**
   * Subscribes to `deletionEvents` over graphql-ws, reconnecting for as long as the page is open.
   * `onConnected` runs on every (re)connection: events sent while the socket was down are lost, so
   * the caller catches up from `notifications(unreadOnly: true)` there. Returns how to stop.
   */
  subscribeToDeletionEvents(handlers: {
    onEvent(event: DeletionEvent): void;
    onConnected(): void;
    onDisconnected(): void;
    onError(error: ApiError): void;
  }): () => void {
    const url = new URL(GRAPHQL_PATH, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = createClient({
      url: url.href,
      connectionParams: () => ({ authorization: `Bearer ${this.token}` }),
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: { connected: handlers.onConnected, closed: handlers.onDisconnected },
    });
    const unsubscribe = client.subscribe<DeletionEventsSubscription>(
      { query: queryText(DeletionEventsDocument) },
      {
        next: (result) => {
          const error = firstError(result);
          if (error) handlers.onError(error);
          else if (result.data) handlers.onEvent(result.data.deletionEvents);
        },
        error: (error) => handlers.onError(asApiError(error)),
        complete: () => undefined,
      },
    );
    return () => {
      unsubscribe();
      void client.dispose();
    };
  }
}

/** Any failure as an ApiError: a GraphQL error, a socket's close event, GraphQL errors, a network error. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (Array.isArray(error)) return firstError({ errors: error }) ?? new ApiError('ERROR', 'Subscription failed.');
  if (error instanceof CloseEvent) return new ApiError(`CLOSED_${error.code}`, error.reason || 'The socket closed.');
  if (error instanceof TypeError)
    return new ApiError('NETWORK_ERROR', `The server could not be reached (${error.message}).`);
  return new ApiError('ERROR', error instanceof Error ? error.message : String(error));
}
