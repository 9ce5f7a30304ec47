import { Client as WsClient, createClient, MessageType, validateMessage } from 'graphql-ws';
import WebSocket from 'ws';
import type { FuzzCase, GraphQLRequestBody } from './fuzz-documents';
import { errorProblems, httpProblems, leakIn, resultProblems } from './fuzz-oracle';

/** A request as bytes on the wire, for bodies no GraphQL client would send. */
export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Linux's default socket send buffer: a body up to this size is written before the server can answer. */
const SOCKET_BUFFER_BYTES = 64 * 1024;

/** Sends a raw request to /graphql and returns what is wrong with the answer. */
export async function sendRaw(url: string, request: RawRequest, mustRefuse?: string): Promise<string[]> {
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: { accept: 'application/json', ...request.headers },
      body: request.body === undefined ? undefined : new Uint8Array(request.body),
    });
    return httpProblems(response.status, await response.text(), mustRefuse);
  } catch (error) {
    // A server may refuse a large body before reading it all (past its limit) and close the
    // connection while the client still sends (RFC 9112 §9.6): fetch then fails or not, as timing
    // decides, and that is no finding. A body within one socket buffer is sent whole before any
    // answer can come, so its failure is a dropped connection.
    if ((request.body?.length ?? 0) > SOCKET_BUFFER_BYTES) return [];
    // Otherwise fetch fails only when the server dropped the connection instead of answering.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return [`no answer: the request failed (${cause?.code ?? cause?.message ?? String(error)})`];
  }
}

function authorizationHeader(authorization: string | undefined): Record<string, string> {
  return authorization === undefined ? {} : { authorization };
}

/** The case as a JSON POST, as every GraphQL client sends it. */
export function postRequest(body: GraphQLRequestBody, authorization: string | undefined): RawRequest {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorizationHeader(authorization) },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/**
 * The case as a GET with its parts in the query string (GraphQL over HTTP). Apollo's CSRF
 * prevention wants a preflight header on GETs; it is sent, so the request reaches GraphQL.
 */
function getSearch(body: GraphQLRequestBody): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (value !== undefined)
      search.set(name, typeof value === 'string' && name !== 'variables' ? value : JSON.stringify(value));
  }
  return search.toString();
}

/** Sends the case as a GET; the URL (with a 1 MB string in it) may be refused before GraphQL sees it. */
export async function sendGet(url: string, fuzzCase: FuzzCase, authorization: string | undefined): Promise<string[]> {
  const headers = { 'apollo-require-preflight': 'true', ...authorizationHeader(authorization) };
  return sendRaw(`${url}?${getSearch(fuzzCase.body)}`, { method: 'GET', headers }, fuzzCase.mustRefuse);
}

/** Close codes a server may end a socket with when a client misbehaves (graphql-ws's and ours, README). */
const REFUSAL_CLOSE_CODES = new Set([1009, 1013, 4400, 4401, 4403, 4409, 4413, 4429]);

/** A lazy graphql-ws client for one caller; it reconnects on the next operation after a close. */
export function fuzzWsClient(wsUrl: string, authorization: string | undefined): WsClient {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? {} : { authorization },
  });
}

/**
 * Sends the case over graphql-ws and returns what is wrong with what came back. A subscription
 * that is accepted stays open: once a later query on the same socket has answered, everything
 * the server would refuse it with has been sent, so it is then ended (no timer involved).
 */
export async function sendWs(client: WsClient, fuzzCase: FuzzCase): Promise<string[]> {
  if (!sendable(fuzzCase.body)) return [];
  const problems: string[] = [];
  let refused = false;
  const note = (found: string[]) => {
    problems.push(...found);
    refused = true;
  };
  let unsubscribe: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    unsubscribe = client.subscribe(fuzzCase.body as { query: string }, {
      next: (result) => {
        const text = JSON.stringify(result);
        if (leakIn(text)) note([`the answer leaks ${leakIn(text)}`]);
        problems.push(...resultProblems(result, undefined));
        if (result.errors?.length) refused = true;
      },
      error: (error: unknown) => {
        note(wsErrorProblems(error));
        resolve();
      },
      complete: resolve,
    });
  });
  if (fuzzCase.kind === 'subscription') {
    const later = new Promise<void>((resolve) =>
      client.subscribe(
        { query: '{ __typename }' },
        { next: () => undefined, error: () => resolve(), complete: resolve },
      ),
    );
    await Promise.race([ended, later]);
    unsubscribe();
  } else await ended;
  if (fuzzCase.mustRefuse && !refused) problems.push(`${fuzzCase.mustRefuse} was accepted`);
  return problems;
}

/** Whether graphql-ws's client sends this payload: it refuses (throws) on one that breaks the protocol's shape. */
function sendable(body: GraphQLRequestBody): boolean {
  try {
    validateMessage({ id: 'fuzz', type: MessageType.Subscribe, payload: body });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with a graphql-ws `error`: GraphQL errors without codes, or a close that is not a refusal. */
function wsErrorProblems(error: unknown): string[] {
  if (Array.isArray(error)) {
    const leak = leakIn(JSON.stringify(error));
    return [...(leak ? [`the answer leaks ${leak}`] : []), ...error.flatMap(errorProblems)];
  }
  const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown };
  if (typeof code !== 'number') return [`the socket failed: ${String(error)}`];
  const problems = REFUSAL_CLOSE_CODES.has(code) ? [] : [`the socket closed with ${code} ${String(reason)}`];
  const leak = leakIn(String(reason));
  return leak ? [...problems, `the close reason leaks ${leak}`] : problems;
}
