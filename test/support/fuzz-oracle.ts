import { ErrorCode } from '../../src/errors';
import { Sql } from '../../src/database/database';

/**
 * Text that must never reach a client: stack frames, file paths, driver and PostgreSQL messages.
 * The generated inputs contain none of these, so an answer that echoes its input cannot match.
 */
const LEAK_PATTERNS: readonly RegExp[] = [
  /\bat .*\.(ts|js):\d+/,
  /node_modules/,
  /\/src\/[\w/.-]+\.(ts|js)\b/,
  /syntax error at or near/,
  /invalid byte sequence/,
  /invalid input syntax for type/,
  /out of range for type/,
  /relation ".*" does not exist/,
  /column ".*" does not exist/,
  /duplicate key/,
  /violates/,
  /QueryFailedError/,
  /ECONNREFUSED/,
  /\bSELECT\b[\s\S]*\bFROM\b/,
  /\bstacktrace\b/,
];

const CODES = new Set<string>(Object.values(ErrorCode));

/** The first leak pattern `text` matches, if any. */
export function leakIn(text: string): RegExp | undefined {
  return LEAK_PATTERNS.find((pattern) => pattern.test(text));
}

/**
 * What is wrong with one GraphQL result (over HTTP or graphql-ws): its shape, an error without a
 * code from ErrorCode, or, for a request that `mustRefuse`, an answer without any error.
 */
export function resultProblems(result: unknown, mustRefuse: string | undefined): string[] {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return ['the answer is not an object'];
  const { data, errors } = result as { data?: unknown; errors?: unknown };
  if (errors === undefined) {
    if (data === undefined) return ['the answer has neither data nor errors'];
    return mustRefuse ? [`${mustRefuse} was accepted`] : [];
  }
  if (!Array.isArray(errors) || errors.length === 0) return ['`errors` is not a non-empty list'];
  return errors.flatMap(errorProblems);
}

/**
 * What is wrong with one GraphQL error: no message, a code outside ErrorCode, or
 * INTERNAL_SERVER_ERROR. Nothing here breaks the server on purpose (the database stays up), so
 * an internal error means hostile input reached a fault instead of a refusal.
 */
export function errorProblems(error: unknown): string[] {
  const { message, extensions } = (error ?? {}) as { message?: unknown; extensions?: { code?: unknown } };
  const problems = typeof message === 'string' ? [] : ['an error without a message'];
  const code = extensions?.code;
  const about = `(${String(message).slice(0, 120)})`;
  if (typeof code !== 'string' || !CODES.has(code))
    problems.push(`an error whose code is ${JSON.stringify(code)} ${about}`);
  if (code === ErrorCode.INTERNAL_SERVER_ERROR) problems.push(`an INTERNAL_SERVER_ERROR ${about}`);
  return problems;
}

/** What is wrong with one HTTP answer from /graphql: a 5xx, a body that is not JSON, a leak, a bad result. */
export function httpProblems(status: number, text: string, mustRefuse: string | undefined): string[] {
  const problems = status >= 500 ? [`HTTP ${status}`] : [];
  const leak = leakIn(text);
  if (leak) problems.push(`the answer leaks ${leak}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `the body is not JSON (HTTP ${status}: ${JSON.stringify(text.slice(0, 80))})`];
  }
  return [...problems, ...resultProblems(body, mustRefuse)];
}

/**
 * One digest per table of the public schema (every table, none left out), over all its rows in
 * a total order (their text form), so any inserted, updated or deleted row changes a digest.
 */
export async function databaseChecksum(db: Sql): Promise<Record<string, string>> {
  const tables = await db.rows<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const digests: Record<string, string> = {};
  for (const { name } of tables) {
    const row = await db.one<{ rows: string; digest: string }>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest
         FROM public."${name.replace(/"/g, '""')}" t`,
    );
    digests[name] = `${row!.rows} rows, md5 ${row!.digest}`;
  }
  return digests;
}
