import 'reflect-metadata';
import { loadConfig } from '../config';
import { exitWith, withCliDatabase } from './cli-database';

/**
 * `npm run rotate-receipt-key`: retires the receipt signing key kept in the database and makes a new
 * one, which every instance signs with from its next receipt on (they read the active key from the
 * database when they sign). Refused when RECEIPT_KEY_FILE is set: rotating then means replacing the file.
 */
withCliDatabase(loadConfig(), async (services) => {
  const kid = await services.db.transaction((tx) => services.receipts.keys.rotate(tx, new Date()));
  process.stdout.write(
    `new receipt signing key: ${kid}\n` +
      'retired keys stay in /.well-known/jwks.json, so the receipts they signed still verify\n',
  );
  return 0;
}).then(exitWith, (error: unknown) => {
  process.stderr.write(`rotate-receipt-key: ${error instanceof Error ? error.message : String(error)}\n`);
  exitWith(1);
});
