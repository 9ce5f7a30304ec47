import 'reflect-metadata';
import { loadConfig } from '../config';
import { runVerifyChecks } from '../domain/verify/verify-checks';
import { exitWith, withCliDatabase } from './cli-database';

/** `npm run verify`: recounts the stats and checks files against rows; exits 1 when anything drifted. */
withCliDatabase(loadConfig(), async (services) => {
  const results = await runVerifyChecks(services);
  let drifted = false;
  for (const { name, problems } of results) {
    process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
    for (const problem of problems) process.stdout.write(`     ${problem}\n`);
    drifted ||= problems.length > 0;
  }
  process.stdout.write(drifted ? 'drift found\n' : 'no drift\n');
  return drifted ? 1 : 0;
}).then(exitWith, (error: unknown) => {
  process.stderr.write(`verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exitWith(1);
});
