import { Sql } from './database';
import { SqlFilter, SqlParams, whereOf } from './sql';

/** Position after which a page starts: the sort instant in microseconds since the epoch (exact), and the id. */
export type TimeIdKey = [micros: string, id: string];

/**
 * SQL reading timestamp `column` as a key's instant: exact microseconds since the epoch, as text
 * (a JS Date would round them away, and a number past 2^53 would too).
 */
export function keyMicros(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
}

/** SQL of a key's instant (from `keyMicros`) as a timestamptz, its value added to `params`. */
export function keyInstant(params: SqlParams, micros: string): string {
  return `('epoch'::timestamptz + ${params.add(micros)}::bigint * interval '1 microsecond')`;
}

/** A row of a page, with the key its cursor encodes. */
type KeyedRow<T> = T & { cursorKey: TimeIdKey };

/**
 * One page of `limit + 1` rows (the extra one only tells that more follow) and how to count every
 * row matching the filter. The count runs only when called (once, however often), so a page whose
 * reader does not ask for the total costs one statement.
 */
export interface KeysetPage<T> {
  rows: KeyedRow<T>[];
  totalCount: () => Promise<number>;
}

/**
 * A condition the page's statement checks beside its rows (the caller's rights as the request saw
 * them): when false the page is refused with `refused()`, so no second statement checks it.
 */
export interface PageGuard {
  /** A boolean SQL expression over the filter's parameters. */
  condition: string;
  refused: () => Error;
}

/** A list ordered newest first by a timestamp column and then by id. */
export interface TimeIdList {
  /** The table, as it stands after FROM. */
  table: string;
  /** The SELECT list of one row. */
  columns: string;
  /** The timestamp column the list is ordered by (newest first); ties are broken by id. */
  timeColumn: string;
  /** The filter; the total counts every row it matches. */
  filter: SqlFilter;
  /**
   * Counts the filter's rows from somewhere cheaper than `count(*)` (a counter the triggers keep),
   * where the list has one for this filter; otherwise the total is `count(*)` over the filter.
   */
  count?: () => Promise<number>;
  /** Checked in the page's own statement (its parameters added to the page's, not the count's); refuses the page when false. */
  guard?: (params: SqlParams) => PageGuard;
}

/**
 * Reads one page of a time-and-id list by keyset: `(time, id) < (after)` with ORDER BY time DESC,
 * id DESC, so the page walks the (…, time, id) index and costs the same on page 1 and page 1000.
 * The cursor's instant travels as exact microseconds, since a JS Date would round them away.
 */
export async function readTimeIdPage<T extends { id: string }>(
  db: Sql,
  list: TimeIdList,
  limit: number,
  after: TimeIdKey | null,
): Promise<KeysetPage<T>> {
  const { table, columns, timeColumn, filter } = list;
  const params = filter.params.copy();
  const conditions = [...filter.conditions];
  if (after) conditions.push(`(${timeColumn}, id) < (${keyInstant(params, after[0])}, ${params.add(after[1])}::uuid)`);
  const page = `SELECT ${columns}, ${keyMicros(timeColumn)} AS "cursorMicros"
     FROM ${table} WHERE ${conditions.join(' AND ')}
     ORDER BY ${timeColumn} DESC, id DESC LIMIT ${params.add(limit + 1)}`;
  const rows = list.guard
    ? await guardedRows<T & { cursorMicros: string }>(db, list.guard(params), page, params)
    : await db.rows<T & { cursorMicros: string }>(page, params.values);
  const count =
    list.count ??
    (async () => {
      const counted = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${whereOf(filter)}`,
        filter.params.values,
      );
      return counted!.n;
    });
  // Keyed in place: the rows are this call's own, and a page is not copied for one field.
  for (const row of rows) (row as unknown as KeyedRow<T>).cursorKey = [row.cursorMicros, row.id];
  return { rows: rows as unknown as KeyedRow<T>[], totalCount: once(count) };
}

/**
 * The page's rows and its guard in one statement: the guard's one row joined to the page, so an
 * empty page still answers whether the guard held (one row of nulls). A nested loop over that one
 * row returns the page in the page's own order.
 */
async function guardedRows<R extends { id: string }>(
  db: Sql,
  guard: PageGuard,
  page: string,
  params: SqlParams,
): Promise<R[]> {
  const rows = await db.rows<R & { guardHeld?: boolean }>(
    `SELECT p.*, g.held AS "guardHeld" FROM (SELECT ${guard.condition} AS held) g LEFT JOIN LATERAL (${page}) p ON true`,
    params.values,
  );
  if (!rows[0]?.guardHeld) throw guard.refused();
  if (rows[0].id === null) return [];
  // Removed in place, not copied out: it is each row's last key, which V8 deletes without reshaping the row.
  for (const row of rows) delete row.guardHeld;
  return rows;
}

/** `work`, run on the first call only; later calls share its promise. */
function once<T>(work: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= work());
}
