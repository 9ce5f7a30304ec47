import { CloseCode } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';

/** How long a socket may stay silent before `connection_init`: graphql-ws's default. */
const INIT_WAIT_MS = 3_000;

/** The socket event `received` emits: a private name, heard only by the socket's own wait. */
const INIT_RECEIVED = Symbol('connection_init received');

/**
 * graphql-ws's `connection_init` timeout (4408), judged on what the client sent rather than on how
 * late the server runs. graphql-ws's own timer fires in the event loop's timers phase, before the
 * poll phase reads the sockets: a server behind by three seconds (two thousand clients connecting
 * within one second) closed sockets whose `connection_init` was already there, waiting to be read.
 * Here the expired timer looks again after the next poll phase (setImmediate), so only a client
 * that really sent nothing is closed, with the same code and reason as graphql-ws's.
 * Give graphql-ws `connectionInitWaitTimeout: 0` and call `received` from `onConnect`.
 */
export function initTimeouts(wsServer: WebSocketServer): { received(socket: WebSocket): void } {
  wsServer.on('connection', (socket: WebSocket) => {
    // This socket's wait lives here, with the socket: `received` ends it through the socket itself.
    let waiting = true;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (!waiting) return;
          waiting = false;
          socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
        }),
      INIT_WAIT_MS,
    );
    const stop = () => {
      waiting = false;
      clearTimeout(timer);
    };
    socket.once(INIT_RECEIVED, stop);
    socket.once('close', stop);
  });
  return { received: (socket) => void socket.emit(INIT_RECEIVED) };
}
