import type { ApolloServerPlugin } from '@apollo/server';
import { AppError, ErrorCode } from '../errors';
import { toGraphQLError } from './graphql-errors';

/**
 * Refuses subscriptions sent over HTTP before anything executes. Apollo would otherwise run the
 * subscription field as if it were a query, with no event as its root: a resolver written for
 * events then fails on `undefined` (it once crashed the process). GraphQL over HTTP has no
 * answer for a stream, so the client is told where subscriptions are served.
 */
export function refuseSubscriptionsOverHttp<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          const refusal = new AppError(
            ErrorCode.BAD_USER_INPUT,
            'Subscriptions are not served over HTTP: open a WebSocket to this same URL with a graphql-ws client ' +
              '(subprotocol graphql-transport-ws) and subscribe there.',
          );
          // Apollo reads `http` from a GraphQLError's extensions for the status and removes it from the body.
          throw toGraphQLError(refusal, { http: { status: 400 } });
        },
      };
    },
  };
}

/**
 * Apollo blocks requests a browser could send cross-site without a CORS preflight (a GET with no
 * content type, a POST of text/plain): they could carry the browser's ambient credentials. Our
 * only credential is the Authorization header, which browsers never add by themselves and which
 * forces a preflight, so a request that carries it is safe: `curl '…/graphql?query={me{id}}'`
 * with a token works as GraphQL over HTTP. Apollo's own preflight headers still work too.
 */
export const CSRF_PREVENTION = {
  requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'],
};
