import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import { isUuid } from '../services/object-rows';

@ObjectType({ description: 'Where a page ends, for cursor pagination.' })
export class PageInfo {
  @Field({ description: 'Whether another page follows this one.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds `<Name>Connection` and `<Name>Edge` GraphQL types for a node type. */
export function Connection<T extends object>(name: string, nodeType: ClassType<T> | (() => unknown)) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this node.' })
    cursor: string;

    @Field(() => nodeType as ClassType<T>, { description: `The ${name}.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} nodes (cursor pagination).` })
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
export const MAX_PAGE_SIZE = 200;

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
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `length` parts, or refuses it with BAD_USER_INPUT. */
export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length) return key;
  } catch {
    // Falls through to the refusal below.
  }
  throw new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this API gave out.', { argument: 'after' });
}

/** Turns `limit + 1` fetched rows into a page: the extra row only tells that another page follows. */
export function toPage<T>(rows: T[], limit: number, totalCount: number, cursorOf: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
}

/**
 * Decodes the cursor of a list ordered by a timestamp and an id (archived objects, deletions,
 * notifications): the timestamp's microseconds and a uuid, or BAD_USER_INPUT.
 */
export function decodeTimeIdCursor(cursor: string): [micros: string, id: string] {
  const [micros, id] = decodeCursor(cursor, 2);
  if (typeof micros === 'string' && /^-?\d{1,20}$/.test(micros) && typeof id === 'string' && isUuid(id))
    return [micros, id];
  throw new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this API gave out.', { argument: 'after' });
}
