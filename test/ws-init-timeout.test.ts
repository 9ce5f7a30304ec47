import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { createWorkspace, TestUser } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { settles } from './support/wait-for';

/**
 * A socket that sends no connection_init within 3 s is closed with 4408, as graphql-ws does; one
 * whose connection_init arrived in time is not, however late the server gets to read it
 * (src/ws/init-timeout.ts). The server runs in this process, so the test can make it late.
 */
const INIT_WAIT_MS = 3_000;

let server: TestServer;
let admin: TestUser;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = (await createWorkspace(server.database.db, 1, 0)).admins[0];
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});
afterAll(() => server.close());

/** A graphql-ws connection over a plain socket: its first message or its close code. */
async function open(): Promise<{ socket: WebSocket; outcome: Promise<{ message: string } | { closed: number }> }> {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  sockets.push(socket);
  const outcome = new Promise<{ message: string } | { closed: number }>((resolve) => {
    socket.once('message', (data: Buffer) => resolve({ message: data.toString() }));
    socket.once('close', (code) => resolve({ closed: code }));
  });
  await settles(new Promise((resolve) => socket.once('open', resolve)), { what: 'the socket to open' });
  return { socket, outcome };
}

it('closes a socket that sends no connection_init with 4408', async () => {
  const { outcome } = await open();
  expect(await settles(outcome, { what: 'the close' })).toEqual({ closed: CloseCode.ConnectionInitialisationTimeout });
});

it('acknowledges a connection_init that arrived in time while the server was running more than 3 s late', async () => {
  const { socket, outcome } = await open();
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin.token}` } }));
  // The server shares this thread: holding it past the wait is a server too busy to read the socket
  // (the message is in the kernel's buffer already) until its timer has expired.
  const until = Date.now() + INIT_WAIT_MS + 500;
  while (Date.now() < until);
  expect(await settles(outcome, { what: 'the ack' })).toEqual({ message: JSON.stringify({ type: 'connection_ack' }) });
});
