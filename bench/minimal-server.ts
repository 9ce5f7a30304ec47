import { createSecretKey } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import DataLoader from 'dataloader';
import { buildSchema, graphql } from 'graphql';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { ObjectType, tableOf } from '../src/database/object-tables';
import { ATTACHMENT_COLUMNS } from '../src/domain/files/attachment.service';
import { USER_COLUMNS } from '../src/domain/identity/auth.service';
import { objectColumns } from '../src/domain/archive/object-rows';

/**
 * The baseline of the browse and overhead benches: the archived-deals page served by nothing but
 * graphql-js, node's http and pg, running the same SQL as the API (the token's user, the page,
 * archivedBy's users and the attachments, batched the same way). It answers the same query text
 * for an admin's first page of any type; no limits, logging or metrics. `node minimal-server.js`
 * with DATABASE_URL, JWT_SECRET and PORT (0: any) prints its URL.
 */
const schema = buildSchema(`
  enum ObjectType { CONTACT ACTIVITY OBJECT DEAL TASK EMAIL CALL }
  type User { id: ID! name: String! email: String! }
  type Attachment { id: ID! fileName: String! mimeType: String! sizeBytes: Float! createdAt: String! }
  interface CrmObject {
    id: ID! type: ObjectType! title: String! createdAt: String! archivedAt: String attachmentBytes: Float!
    archivedBy: User attachments: [Attachment!]!
  }
  type Deal implements CrmObject {
    id: ID! type: ObjectType! title: String! createdAt: String! archivedAt: String attachmentBytes: Float!
    archivedBy: User attachments: [Attachment!]! amountCents: Float currency: String stage: String
  }
  type CrmObjectEdge { cursor: String! node: CrmObject! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type CrmObjectConnection { edges: [CrmObjectEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type Query { archivedObjects(type: ObjectType!, first: Int = 50): CrmObjectConnection! }
`);

interface Row {
  id: string;
  type: string;
  createdAt: Date;
  archivedAt: Date | null;
  archivedById: string | null;
  cursorMicros: string;
}

interface RequestContext {
  user: { id: string; workspaceId: string; role: string };
  users: DataLoader<string, unknown>;
  attachments: DataLoader<string, unknown[]>;
}

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? ''));

function loaders(): Pick<RequestContext, 'users' | 'attachments'> {
  return {
    users: new DataLoader(async (ids: readonly string[]) => {
      const { rows } = await pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
      const byId = new Map(rows.map((row: { id: string }) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    attachments: new DataLoader(async (keys: readonly string[]) => {
      const types = [...new Set(keys.map((k) => k.slice(0, k.indexOf(':'))))];
      const ids = [...new Set(keys.map((k) => k.slice(k.indexOf(':') + 1)))];
      const { rows } = await pool.query(
        `SELECT ${ATTACHMENT_COLUMNS} FROM attachments
       WHERE object_type = ANY($1::text[]) AND object_id = ANY($2::uuid[]) ORDER BY created_at, id`,
        [types, ids],
      );
      const byKey = new Map<string, unknown[]>();
      for (const row of rows as { objectType: string; objectId: string; createdAt: Date }[]) {
        const k = `${row.objectType}:${row.objectId}`;
        byKey.set(k, [...(byKey.get(k) ?? []), { ...row, createdAt: row.createdAt.toISOString() }]);
      }
      return keys.map((k) => byKey.get(k) ?? []);
    }),
  };
}

/** The same statement readTimeIdPage builds for an admin's unfiltered first page. */
async function archivedObjects({ type, first }: { type: ObjectType; first: number }, context: RequestContext) {
  const table = tableOf(type);
  const { rows } = await pool.query<Row>(
    `SELECT ${objectColumns(table)}, (extract(epoch FROM archived_at) * 1000000)::bigint::text AS "cursorMicros"
     FROM ${table.table} WHERE workspace_id = $1 AND archived_at IS NOT NULL
     ORDER BY archived_at DESC, id DESC LIMIT $2`,
    [context.user.workspaceId, first + 1],
  );
  const edges = rows.slice(0, first).map((row) => ({
    cursor: Buffer.from(JSON.stringify([row.cursorMicros, row.id])).toString('base64url'),
    node: {
      ...row,
      __typename: 'Deal',
      createdAt: row.createdAt.toISOString(),
      archivedAt: row.archivedAt?.toISOString() ?? null,
      archivedBy: () => (row.archivedById ? context.users.load(row.archivedById) : null),
      attachments: () => context.attachments.load(`${row.type}:${row.id}`),
    },
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

async function answer(body: string, authorization: string | undefined): Promise<unknown> {
  const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
  const claims = jwt.verify((authorization ?? '').replace(/^Bearer /, ''), key, { algorithms: ['HS256'] });
  const { rows } = await pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [claims.sub]);
  const contextValue: RequestContext = { user: rows[0], ...loaders() };
  return graphql({ schema, source: query, variableValues: variables, rootValue: { archivedObjects }, contextValue });
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    answer(Buffer.concat(chunks).toString(), request.headers.authorization).then(
      (result) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result));
      },
      (error: unknown) => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      },
    );
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`minimal server: http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
