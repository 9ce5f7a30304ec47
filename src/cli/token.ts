import 'reflect-metadata';
import { loadConfig } from '../config';
import { withCliDatabase } from './cli-database';

/** `npm run token -- <email>` prints a bearer token for that user (any workspace). */
async function main(): Promise<void> {
  const email = process.argv[2];
  if (!email) {
    process.stderr.write('usage: npm run token -- <email>\n');
    process.exit(2);
  }
  await withCliDatabase(loadConfig(), async (services) => {
    const user = await services.users.byEmail(email);
    if (!user) {
      process.stderr.write(`no user with e-mail ${email}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`Bearer ${services.auth.sign(user.id)}\n`);
  });
}

void main();
