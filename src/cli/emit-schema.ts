import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createSchema } from '../graphql/schema';

const SCHEMA_FILE = path.resolve(__dirname, '../../../schema.graphql');

/** `npm run schema:emit` writes schema.graphql from the code; `--check` fails when the file has drifted. */
async function main(): Promise<void> {
  const printed = `${printSchema(lexicographicSortSchema(await createSchema()))}\n`;
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== printed) {
      process.stderr.write(
        'schema.graphql differs from the schema built from the code: run `npm run schema:emit` and commit it.\n',
      );
      process.exit(1);
    }
    process.stdout.write('schema.graphql is up to date\n');
    return;
  }
  writeFileSync(SCHEMA_FILE, printed);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

void main();
