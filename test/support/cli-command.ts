import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { processTreeWork } from './processes';
import { settles } from './wait-for';

/** `npm run verify`'s entry point, built into dist/ by `npm test`'s pretest. */
const VERIFY = path.join(__dirname, '../../dist/src/cli/verify.js');

/**
 * Runs `npm run verify` with `env` on top of this process's environment (the database, DATA_DIR,
 * the store's variables) and returns its exit code and report; a run that stalls is killed.
 */
export async function runVerifyCommand(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [VERIFY], { env: { ...process.env, ...env } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  try {
    const [code] = (await settles(once(child, 'exit'), {
      what: 'verify to exit',
      progress: () => processTreeWork(child.pid) + stdout.length,
    })) as [number | null];
    return { code, stdout };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
