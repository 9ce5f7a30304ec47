import { Field, Int, ObjectType } from 'type-graphql';
import { AppError, ErrorCode } from '../../errors';
import { KeysetPage, TimeIdKey } from '../../database/keyset';
import { isUuid } from '../../domain/uuid';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, description: 'Where a page ends, for cursor pagination.' })
export class PageInfo {
  @Field({ description: 'Whether another page follows this one.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor: string | null;
}

interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** A getter: the count runs only when a query selects `totalCount`. */
  readonly totalCount: Promise<number>;
}

/**
 * Builds `<Name>Connection` and `<Name>Edge` GraphQL types for a node type (a class, or an abstract
 * one for an interface). Resolvers return a Page of the node type; these classes only describe it.
 */
export function Connection(name: string, nodeType: abstract new (...args: never[]) => object) {
  @ObjectType(`${name}Edge`, { ...PLAIN_FIELDS, description: `One ${name} in a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this node.' })
    cursor: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node: unknown;
  }

  @ObjectType(`${name}Connection`, { ...PLAIN_FIELDS, description: `A page of ${name} nodes (cursor pagination).` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The nodes of this page, in order.' })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: 'Where this page ends, and whether another follows.' })
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'All nodes matching the query, on every page.' })
    totalCount: number;
  }
  return ConnectionType;
}

/** Most nodes a page may hold; a larger `first` is refused. */
const MAX_PAGE_SIZE = 200;

/** Checks `first` and refuses what is out of range, naming the limit. */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_PAGE_SIZE}, got ${first}.`, {
      argument: 'first',
    });
  }
  return first;
}

/** Cursors are opaque to clients: base64url of a JSON array of the sort key. */
function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The refusal of any cursor this API could not have given out. */
function foreignCursor(): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this API gave out.', { argument: 'after' });
}

/** Decodes a cursor made by encodeCursor with `length` parts, or refuses it with BAD_USER_INPUT. */
function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length) return key;
  } catch {
    // Falls through to the refusal below.
  }
  throw foreignCursor();
}

/**
 * Turns a keyset page of `limit + 1` rows into a connection page of nodes made by `toNode`: the
 * extra row only tells that another page follows.
 */
export function toPage<Row, Node>(page: KeysetPage<Row>, limit: number, toNode: (row: Row) => Node): Page<Node> {
  const edges = page.rows.slice(0, limit).map((row) => ({ cursor: encodeCursor(row.cursorKey), node: toNode(row) }));
  return {
    edges,
    // Read by the field's resolver only when selected; an unselected total costs no statement.
    get totalCount() {
      return page.totalCount();
    },
    pageInfo: { hasNextPage: page.rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/**
 * The instants a time-and-id cursor may name, in microseconds since 1970: from PostgreSQL's first
 * timestamptz (4714-11-24 BC) to the last instant a JS Date holds (275760-09-13), both well inside
 * bigint. Outside them PostgreSQL fails the page's statement ("timestamp out of range").
 */
const CURSOR_MICROS = { min: -210_866_803_200_000_000n, max: 8_640_000_000_000_000_000n };

/** Whether `value` is what PostgreSQL prints for such an instant: canonical decimal text, in range. */
function isCursorMicros(value: unknown): value is string {
  if (typeof value !== 'string' || !/^(0|-?[1-9]\d{0,18})$/.test(value)) return false;
  const micros = BigInt(value);
  return micros >= CURSOR_MICROS.min && micros <= CURSOR_MICROS.max;
}

/**
 * Decodes the cursor of a list ordered by a timestamp and an id (archived objects, deletions,
 * notifications): the timestamp's microseconds and a uuid, or BAD_USER_INPUT. Every value that
 * passes is one the page's SQL can take, so a forged cursor never reaches PostgreSQL as an error.
 */
export function decodeTimeIdCursor(cursor: string): TimeIdKey {
  const [micros, id] = decodeCursor(cursor, 2);
  if (isCursorMicros(micros) && isUuid(id)) return [micros, id];
  throw foreignCursor();
}
