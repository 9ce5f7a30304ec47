import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A start that cannot go on, told to the operator in one line: what is wrong and what to do
 * (`npm start` prints the message alone, without a stack, and exits 1).
 */
export class StartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartError';
  }
}

/**
 * What a start has brought up so far (embedded database, pool, listener, server …), stopped in
 * the reverse order: on `stop()`, and on a failed start, so a start that fails half-way leaves
 * no process, port or file behind.
 */
export class StopStack {
  private readonly steps: (() => Promise<void> | void)[] = [];

  /** Registers how to stop what was just started. */
  push(stop: () => Promise<void> | void): void {
    this.steps.push(stop);
  }

  /**
   * Runs every step, last pushed first. A failing step does not keep the ones below it from
   * running (the database must still stop when the server's drain failed); the first error is
   * rethrown at the end.
   */
  async unwind(): Promise<void> {
    let firstError: unknown;
    let failed = false;
    for (const stop of this.steps.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        if (!failed) [firstError, failed] = [error, true];
      }
    }
    if (failed) throw firstError;
  }
}

/** Runs `start` with an empty stack; if it throws, stops what it had started, then rethrows its error. */
export async function startOrUnwind<T>(start: (stack: StopStack) => Promise<T>): Promise<T> {
  const stack = new StopStack();
  try {
    return await start(stack);
  } catch (error) {
    // The start's own error is the one to report; a second one while stopping would only hide it.
    await stack.unwind().catch(() => undefined);
    throw error;
  }
}

/** Creates DATA_DIR (and its parents) if needed; a folder that cannot be made is a StartError. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StartError(
      `cannot create the data directory ${dataDir} (${code}): set DATA_DIR to a folder you can write`,
    );
  }
}

/**
 * The configuration with its JWT secret: JWT_SECRET when set; otherwise (never in production, where
 * loadConfig requires it) a secret generated once and kept in DATA_DIR/jwt-secret, so tokens survive
 * restarts. A start step of the server and of the CLI commands, not of reading the configuration.
 */
export function ensureDevSecret<C extends { jwtSecret: string; dataDir: string; nodeEnv: string }>(config: C): C {
  // Production has JWT_SECRET or only an OpenID issuer (config checks one is set): nothing to generate.
  if (config.jwtSecret || config.nodeEnv === 'production') return config;
  const file = path.join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return { ...config, jwtSecret: readFileSync(file, 'utf8').trim() };
  ensureDataDir(config.dataDir);
  const jwtSecret = randomBytes(32).toString('hex');
  writeFileSync(file, jwtSecret, { mode: 0o600 });
  return { ...config, jwtSecret };
}
