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
  const rows = await db.rows<T & { cursorMicros: string }>(
    `SELECT ${columns}, ${keyMicros(timeColumn)} AS "cursorMicros"
     FROM ${table} WHERE ${conditions.join(' AND ')}
     ORDER BY ${timeColumn} DESC, id DESC LIMIT ${params.add(limit + 1)}`,
    params.values,
  );
  const count =
    list.count ??
    (async () => {
      const counted = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${whereOf(filter)}`,
        filter.params.values,
      );
      return counted!.n;
    });
  return {
    rows: rows.map((row) => ({ ...row, cursorKey: [row.cursorMicros, row.id] })),
    totalCount: once(count),
  };
}

/** `work`, run on the first call only; later calls share its promise. */
function once<T>(work: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= work());
}
