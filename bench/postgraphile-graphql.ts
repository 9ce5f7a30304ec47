import Module from 'node:module';
import path from 'node:path';

/**
 * Makes every `require('graphql…')` of this process load PostGraphile's own graphql 15. Needed
 * because PostGraphile v4 does not run on graphql 16 (ours, at the top of node_modules), so npm
 * nests graphql 15 twice (under postgraphile and under graphile-build-pg) and leaves
 * graphql-parse-resolve-info on 16: three copies in one schema fail with "Cannot use
 * GraphQLObjectType … from another module or realm". This is what yarn's "resolutions" would do,
 * for the PostGraphile server's process only; import it before postgraphile.
 */
const postgraphileGraphql = path.dirname(
  require.resolve('graphql/package.json', { paths: [path.dirname(require.resolve('postgraphile/package.json'))] }),
);

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolve = loader._resolveFilename;
loader._resolveFilename = (request, ...rest) =>
  resolve(
    request === 'graphql' || request.startsWith('graphql/')
      ? path.join(postgraphileGraphql, request.slice('graphql'.length))
      : request,
    ...rest,
  );
