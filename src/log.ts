import { Config } from './config';

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/** A one-line-per-event logger on stderr; enough for a service whose output is collected by the platform. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function createLogger(level: Config['logLevel']): Logger {
  const threshold = LEVELS.indexOf(level);
  const write = (at: Level, message: string) => {
    if (LEVELS.indexOf(at) >= threshold)
      process.stderr.write(`${new Date().toISOString()} ${at.padEnd(5)} ${message}\n`);
  };
  return {
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) =>
      write(
        'error',
        error ? `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : message,
      ),
  };
}
