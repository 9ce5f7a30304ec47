import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { generateBulkData } from './bulk-data';
import { seedDemoData } from '../demo/demo-seed';
import { exitWith, withCliDatabase } from './cli-database';
import { progressBar } from './progress-bar';

const USAGE = `usage: npm run seed [-- --objects N [--workspaces N] [--large-share 0..1] [--archived-share 0..1]
                        [--attachment-share 0..1] [--files real|rows-only]]`;

/**
 * `npm run seed`: creates the demo workspaces, users, objects and files unless they exist.
 * `npm run seed -- --objects 1000000 --workspaces 100`: adds bulk workspaces for performance work.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string' },
      workspaces: { type: 'string' },
      'large-share': { type: 'string' },
      'archived-share': { type: 'string' },
      'attachment-share': { type: 'string' },
      files: { type: 'string' },
    },
    strict: true,
  });
  if (values.objects === undefined) {
    if (Object.values(values).some((v) => v !== undefined))
      throw new RangeError('--objects is required with the bulk options');
    return withCliDatabase(loadConfig(), async (services) => {
      const created = await seedDemoData(services);
      process.stdout.write(created ? 'created the demo data\n' : 'the demo data exists already\n');
    });
  }
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new RangeError(`--${name} must be a number, got "${text}"`);
    return value;
  };
  const options = {
    objects: number('objects', values.objects)!,
    workspaces: number('workspaces', values.workspaces) ?? 1,
    largeShare: number('large-share', values['large-share']),
    archivedShare: number('archived-share', values['archived-share']),
    attachmentShare: number('attachment-share', values['attachment-share']),
    files: values.files as 'real' | 'rows-only' | undefined,
    onProgress: progressBar('objects'),
  };
  return withCliDatabase(loadConfig(), async ({ db, files }) => {
    const started = Date.now();
    const workspaces = await generateBulkData(db, files, options);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `created ${options.objects.toLocaleString('en')} objects in ${workspaces.length} workspace${workspaces.length === 1 ? '' : 's'} in ${seconds} s\n`,
    );
    for (const { id, adminId, memberId, objects } of workspaces.slice(0, 3))
      process.stdout.write(
        `  workspace ${id}: ${objects.toLocaleString('en')} objects, admin ${adminId}, member ${memberId}\n`,
      );
    if (workspaces.length > 3) process.stdout.write(`  … and ${workspaces.length - 3} more\n`);
  });
}

main().then(
  () => exitWith(0),
  (error: unknown) => {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      process.stderr.write(`${USAGE}\n`);
    exitWith(1);
  },
);
