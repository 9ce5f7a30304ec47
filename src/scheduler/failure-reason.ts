import { ObjectRef } from './deletion-chunk';

/** How many locked objects a reason names; the log and the database hold the rest. */
export const NAMED_LOCKED_OBJECTS = 5;

/**
 * What admins read in a deletion's `failureReason` about an error: a short description of its
 * kind and its code, never the error's own text, which may hold server paths, SQL or values.
 * The full error goes to the server log.
 */
export function errorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
    return `the database refused to remove objects (SQLSTATE ${code})`;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `a system error (${code})`;
  return 'an unexpected error';
}

/** Names objects that other transactions kept locked, so admins know what to look at. */
export function lockedRowsReason(locked: readonly ObjectRef[]): string {
  const named = locked.slice(0, NAMED_LOCKED_OBJECTS).map((ref) => `${ref.type} ${ref.id}`);
  const more = locked.length > NAMED_LOCKED_OBJECTS ? ' and more' : '';
  return `objects stayed locked by other transactions: ${named.join(', ')}${more}`;
}

/** The reason stored when a deletion is given up after `runs` runs in a row without progress. */
export function givenUpReason(runs: number, cause: string): string {
  return `Stopped after ${runs} runs in a row without progress. Last cause: ${cause}. The server log has the details.`;
}
