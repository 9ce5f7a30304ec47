import { ServerResponse } from 'node:http';
import { Transform } from 'node:stream';

/** The error a response is destroyed with when its client read nothing for too long. */
class ClientIdleError extends Error {
  readonly code = 'ERR_CLIENT_IDLE';

  constructor(idleMs: number) {
    super(`The client read nothing for ${idleMs} ms; the response was closed.`);
    this.name = 'ClientIdleError';
  }
}

/**
 * A pass-through to put just before `res` in a pipeline: once no chunk has gone through it for
 * `idleMs` (the client stopped reading, so the socket's buffers stay full and the pipeline waits)
 * and `res` has not finished, it destroys `res`. The pipeline then destroys its sources (closing a
 * file, failing a ZIP), so a stalled client costs its socket for `idleMs` at most. The clock runs
 * until the response has closed: a client that stalls on the last bytes is closed as well.
 */
export function idleTimeout(res: ServerResponse, idleMs: number, onIdle: () => void = () => undefined): Transform {
  const timer = setTimeout(() => {
    onIdle();
    res.destroy(new ClientIdleError(idleMs));
  }, idleMs);
  res.once('close', () => clearTimeout(timer));
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      timer.refresh();
      callback(null, chunk);
    },
  });
}
