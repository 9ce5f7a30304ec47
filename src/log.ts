import pino from 'pino';
import { Config } from './config';

/** Structured context a log line carries besides its message, e.g. `{ requestId, durationMs }`. */
export type LogFields = Record<string, unknown>;

/**
 * One JSON line per event on stderr (pino), for the platform to collect. The message stays the
 * first argument so call sites read as sentences; fields and bindings make lines searchable.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, error?: unknown, fields?: LogFields): void;
  /** A logger whose every line also carries `bindings` (a request id, a deletion id…). */
  child(bindings: LogFields): Logger;
}

// Defence in depth: no code path logs headers or connection params, but should one ever do, the
// token is replaced rather than written out.
const REDACTED_PATHS = ['authorization', '*.authorization', 'headers.authorization', 'connectionParams'];

/** A logger at `level` writing to `destination` (stderr by default; tests pass a capture stream). */
export function createLogger(
  level: Config['logLevel'],
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return wrap(
    pino(
      {
        level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      },
      destination,
    ),
  );
}

function wrap(logger: pino.Logger): Logger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, error, fields) =>
      logger.error(error === undefined ? (fields ?? {}) : { ...fields, err: asError(error) }, message),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}

/** pino serialises an Error (type, message, stack, driver fields); anything else is wrapped into one. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
