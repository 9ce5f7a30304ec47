import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { processTreeWork } from './processes';
import { settles } from './wait-for';

/**
 * Runs `npm run <name>` as its compiled entry point (`dist/src/cli/<name>.js`, built by `npm test`'s
 * pretest) with `env` on top of this process's environment (the database, DATA_DIR, the store's
 * variables) and returns its exit code and output, once its output has closed; a run that stalls is killed.
 */
export async function runCliCommand(
  name: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(__dirname, `../../dist/src/cli/${name}.js`)], {
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const [code] = (await settles(once(child, 'close'), {
      what: `${name} to exit`,
      progress: () => processTreeWork(child.pid) + stdout.length + stderr.length,
    })) as [number | null];
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `npm run verify`: its exit code and report. */
export function runVerifyCommand(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string }> {
  return runCliCommand('verify', env);
}
