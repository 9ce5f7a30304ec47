import { Server } from 'node:http';
import { StartError } from '../startup';

/**
 * Binds `httpServer` to `port`. When the port cannot be had, runs `stop` (what was set up for
 * the server so far) and rejects: with a StartError that says what to do for the usual causes.
 * Without the error listener a taken port was only an 'error' event and the start hung for ever.
 */
export async function listenOrStop(
  httpServer: Server,
  port: number,
  host: string,
  stop: () => Promise<void>,
): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await stop();
    throw listenError(error as NodeJS.ErrnoException, port, host);
  }
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartError(`port ${port} is in use: stop the other process or set PORT`, { cause: error });
    case 'EACCES':
      return new StartError(`port ${port} needs privileges this user lacks: set PORT to a port above 1023`, {
        cause: error,
      });
    case 'EADDRNOTAVAIL':
      return new StartError(`${host} is not an address of this machine: listen on one of its addresses instead`, {
        cause: error,
      });
    default:
      return error;
  }
}
