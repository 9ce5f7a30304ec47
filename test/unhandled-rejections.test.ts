import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const DIST = path.join(__dirname, '../dist/src');

/**
 * The last-resort guard of `npm start` (main.ts), in a real Node process of its own: a rejection
 * nobody handles is logged, and the process goes on (Node's default would end it with code 1).
 */
it('logs an unhandled rejection and keeps the process running', async () => {
  const script = `
    const { logUnhandledRejections } = require(${JSON.stringify(path.join(DIST, 'unhandled-rejections.js'))});
    const { createLogger } = require(${JSON.stringify(path.join(DIST, 'log.js'))});
    logUnhandledRejections(createLogger('error'));
    Promise.reject(new Error('nobody handles this'));
    // Node handles the rejection before any timer runs: reaching this callback means it survived.
    setTimeout(() => process.stdout.write('still running'), 0);
  `;
  const child = spawn(process.execPath, ['-e', script]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect({ code, stdout }).toEqual({ code: 0, stdout: 'still running' });
  // Loose about the log format (plain or JSON lines): the message and the error are what matter.
  expect(stderr).toMatch(/unhandled promise rejection[\s\S]*nobody handles this/);
});
