import http from 'node:http';

/** One GraphQL POST, ready to be sent many times. */
export interface GraphqlRequest {
  url: string;
  /** Sent as a Bearer token; none for a server that takes none (PostGraphile refuses one it cannot verify). */
  token?: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** A POST over a keep-alive agent; resolves with the body, or rejects on a non-200 or a GraphQL error. */
function post(agent: http.Agent, target: URL, headers: http.OutgoingHttpHeaders, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        // Every answer is checked: a benchmark of error responses would measure nothing.
        if (response.statusCode !== 200 || text.startsWith('{"errors"') || text.includes('"errors":[')) {
          reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 500)}`));
        } else resolve(text);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends `request` as a closure over one agent: each call is one request over a kept-alive socket. */
export function requester(
  request: GraphqlRequest,
  sockets: number,
): { send: () => Promise<string>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(request.url);
  const body = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
  };
  return { send: () => post(agent, target, headers, body), close: () => agent.destroy() };
}

/** What `clients` closed-loop clients completed in a stretch of time. */
export interface LoadRun {
  completed: number;
  perSecond: number;
}

/** `clients` closed-loop clients sending `request` for `ms`, each its next request as soon as the last is answered. */
export async function closedLoop(request: GraphqlRequest, clients: number, ms: number): Promise<LoadRun> {
  const { send, close } = requester(request, clients);
  try {
    const deadline = Date.now() + ms;
    let completed = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < deadline) {
          await send();
          completed += 1;
        }
      }),
    );
    return { completed, perSecond: completed / (Number(process.hrtime.bigint() - start) / 1e9) };
  } finally {
    close();
  }
}
