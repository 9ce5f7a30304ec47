import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, Client as WsClient } from 'graphql-ws';
import { print } from 'graphql';
import WebSocket from 'ws';

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
