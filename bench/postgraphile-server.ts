// First: the graphql that PostGraphile's modules load depends on it.
import './postgraphile-graphql';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';

/**
 * The peer of goal 6: PostGraphile v4 serving the `public` schema of DATABASE_URL (the bench adds
 * the functions it needs there first: see peer.bench.ts), as its docs recommend for production:
 * no GraphiQL, no watch mode, no query log, default mutations off. No JWT: it answers anyone, so
 * it does less per request than our server, which verifies a token each time. `node
 * postgraphile-server.js` with DATABASE_URL and PORT (0: any) prints its URL.
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const handler = postgraphile(pool, 'public', {
  graphqlRoute: '/graphql',
  graphiql: false,
  watchPg: false,
  retryOnInitFail: false,
  disableQueryLog: true,
  disableDefaultMutations: true,
  // setof functions return connections; `attachmentsList` is the computed column as a plain list.
  simpleCollections: 'both',
  setofFunctionsContainNulls: false,
  legacyRelations: 'omit',
});

const server = http.createServer(handler);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`postgraphile: http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
