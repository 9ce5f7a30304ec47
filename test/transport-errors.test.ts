import { once } from 'node:events';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { ArchiveObjectsDocument } from '../operations/generated';
import { print } from 'graphql';
import { MAX_REQUEST_BYTES } from '../src/http/http-errors';
import { createWorkspace, TestUser } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { settles } from './support/wait-for';

/**
 * Refusals at the transport level (bodies, routes, WebSocket frames)
 * answer JSON with a code from ErrorCode, or close the socket with 1009, and change nothing.
 */
let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  // NODE_ENV=test: express's own error page carried a stack trace here.
  server = await startTestServer();
  admin = (await createWorkspace(server.database.db, 1, 0)).admins[0];
});
afterAll(() => server.close());

const base = () => server.url.replace(/\/graphql$/, '');

/** An archive mutation for a fresh object, and `padding` characters that make its body as large as needed. */
async function archiveBody(padding: number): Promise<{ query: string; variables: unknown; extensions: unknown }> {
  const ref = await createObject(server.url, admin, 'DEAL');
  return { query: print(ArchiveObjectsDocument), variables: { refs: [ref] }, extensions: { pad: 'x'.repeat(padding) } };
}

/** Asserts a GraphQL-shaped JSON error with `code`, and no stack trace anywhere in it. */
async function expectJsonError(response: Response, status: number, code: string, message: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  expect(text).not.toMatch(/\bat .*\.[jt]s:\d+/);
  expect(JSON.parse(text)).toEqual({ errors: [{ message: expect.stringMatching(message), extensions: { code } }] });
}

describe('HTTP bodies and routes', () => {
  function post(body: string, contentType = 'application/json'): Promise<Response> {
    return fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${admin.token}` },
      body,
    });
  }

  it('answers invalid JSON with 400 BAD_USER_INPUT as JSON', async () => {
    await expectJsonError(await post('{"query": '), 400, 'BAD_USER_INPUT', /not valid JSON/);
  });

  it('answers a body over the limit with 413 BAD_USER_INPUT and runs nothing', async () => {
    const body = JSON.stringify(await archiveBody(MAX_REQUEST_BYTES));
    const before = await snapshot(server.database.db);
    await expectJsonError(
      await post(body),
      413,
      'BAD_USER_INPUT',
      new RegExp(`larger than ${MAX_REQUEST_BYTES} bytes`),
    );
    expect(await snapshot(server.database.db)).toBe(before);
  });

  it('answers an unsupported charset with 415 BAD_USER_INPUT', async () => {
    await expectJsonError(await post('{}', 'application/json; charset=iso-8859-1'), 415, 'BAD_USER_INPUT', /charset/);
  });

  it.each([
    ['GET', '/nope'],
    ['POST', '/nope'],
    ['GET', '/attachments'],
    ['DELETE', '/healthz'],
  ])('answers %s %s with a JSON 404', async (method, path) => {
    const response = await fetch(`${base()}${path}`, { method });
    await expectJsonError(response, 404, 'NOT_FOUND', new RegExp(`${method} ${path}`));
  });

  it('answers a GET whose URL is too large for the HTTP parser with 431 BAD_USER_INPUT as JSON', async () => {
    const query = `{ me { id } ${'#'.repeat(20_000)}\n}`;
    const response = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    await expectJsonError(response, 431, 'BAD_USER_INPUT', /too large: send the query in a POST body/);
  });

  it('lets a client that reads only once it sent a URL larger than the socket buffers read that 431, without a reset', async () => {
    // Closing while such a client still sends makes the kernel reset the connection, and the answer is lost.
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.pause();
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<void>((resolve, reject) => {
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    socket.write(`GET /graphql?query=${'x'.repeat(16 * 1024 * 1024)} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`, () =>
      socket.resume(),
    );
    try {
      await settles(ended, { what: 'the answer', progress: () => socket.bytesWritten });
    } finally {
      socket.destroy();
    }
    expect(received).toMatch(/^HTTP\/1\.1 431 /);
    expect(received).toContain('"code":"BAD_USER_INPUT"');
  });
});

describe('WebSocket frames', () => {
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate();
  });

  /** A raw graphql-transport-ws socket; with a token, resolved once the server acknowledged it. */
  async function openSocket(token?: string): Promise<{ socket: WebSocket; messages: Record<string, unknown>[] }> {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    sockets.push(socket);
    const messages: Record<string, unknown>[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await once(socket, 'open');
    if (token) {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      const [data] = (await once(socket, 'message')) as [Buffer];
      expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
    }
    return { socket, messages };
  }

  it('closes a socket with 1009 when a frame exceeds the cap before authentication', async () => {
    const { socket } = await openSocket();
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MAX_REQUEST_BYTES) } }));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1009);
  });

  it('closes a signed-in socket with 1009 on an oversized operation and runs nothing', async () => {
    const { socket } = await openSocket(admin.token);
    const payload = await archiveBody(MAX_REQUEST_BYTES);
    const before = await snapshot(server.database.db);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1009);
    expect(await snapshot(server.database.db)).toBe(before);
  });

  it('runs an operation whose frame is just under the cap', async () => {
    const { socket, messages } = await openSocket(admin.token);
    const payload = await archiveBody(MAX_REQUEST_BYTES - 2_000);
    const frame = JSON.stringify({ id: '1', type: 'subscribe', payload });
    expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    socket.send(frame);
    while (!messages.some((message) => message.type === 'complete')) await once(socket, 'message');
    expect(messages.find((message) => message.type === 'next')).toMatchObject({
      id: '1',
      type: 'next',
      payload: { data: { archiveObjects: [{}] } },
    });
  });
});
