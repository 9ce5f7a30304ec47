import { Logger } from './log';

/**
 * Last resort: logs a promise rejection nobody handled instead of letting Node end the process.
 * Every known path handles its rejections (a test covers each); this is for an unknown one. One
 * forgotten `catch` on a request path must not take down every other request and WebSocket of
 * the instance: a rejection, unlike a thrown exception, leaves no half-run code behind, so the
 * process is still sound. Uncaught exceptions stay fatal.
 */
export function logUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection (a bug: please report it); the server keeps running', reason);
  });
}
