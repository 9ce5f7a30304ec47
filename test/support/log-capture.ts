import { createLogger, Logger } from '../../src/log';

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

/** A real pino logger whose output is kept in memory, for asserting what the server logs. */
export class LogCapture {
  /** Everything written, verbatim: a secret must appear nowhere in it. */
  raw = '';
  readonly logger: Logger = createLogger('debug', { write: (chunk: string) => void (this.raw += chunk) });

  /** Every line written so far, parsed. */
  lines(): LogLine[] {
    return this.raw
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** The lines carrying `requestId`. */
  linesOf(requestId: string): LogLine[] {
    return this.lines().filter((line) => line.requestId === requestId);
  }
}
