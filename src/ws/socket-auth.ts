import type { ExecutionArgs, GraphQLError } from 'graphql';
import type { ServerOptions, SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { UserRow, Viewer } from '../domain/domain-types';
import { Services } from '../domain/services';
import { Context, createContext, isStillMember, noLongerMember } from '../graphql/context';
import { toGraphQLError } from '../graphql/graphql-errors';
import { WS_CLOSE_REASONS, WsCloseCode } from './ws-close-codes';
import { WsOperationsExtra, wsRequestId } from './ws-operations';

/** What a socket keeps between operations (with its operations' reports, ws-operations.ts). */
export type SocketExtra = WsOperationsExtra & {
  /** The viewer its token named at `connection_init`. */
  viewer?: Viewer;
  /** The latest operation's read of the user; the next read waits for it (see `readInOrder`). */
  lastRead?: Promise<unknown>;
  /**
   * The viewer each accepted operation runs as (the user read again), by operation id: from
   * `onSubscribe` to `context`, which takes it out. It lives and dies with the socket.
   */
  operationViewers?: Map<string, Viewer>;
};

type SocketOptions = ServerOptions<Record<string, unknown>, Extra & Partial<SocketExtra>>;

type SocketHooks = Required<Pick<SocketOptions, 'onSubscribe'>> & {
  context: (...args: Parameters<Extract<SocketOptions['context'], (...args: never[]) => unknown>>) => Context;
};

const SIGNED_OUT: Viewer = { user: null, tokenExpiresAt: null };

/**
 * graphql-ws hooks that make a socket's rights as fresh as an HTTP request's: the token was
 * verified at `connection_init` (and its expiry closes the socket), but the user it names is read
 * again for every operation, one primary-key SELECT. A user deleted or moved to another workspace
 * since has the socket closed with 4401 and the operation never runs; a changed role applies to
 * the operation at once (a demoted admin gets FORBIDDEN). The operation of a user still allowed
 * is built by `operationOf` (parse and validate); graphql-ws takes one `onSubscribe`, so it is
 * called from here rather than set beside it.
 */
export function socketAuthHooks(
  services: Services,
  operationOf: (ctx: unknown, id: string, payload: SubscribePayload) => ExecutionArgs | readonly GraphQLError[],
): SocketHooks {
  return {
    onSubscribe: async (ctx, id, payload) => {
      // onConnect stored the viewer before acknowledging, and graphql-ws refuses operations before that.
      const connected = ctx.extra.viewer ?? SIGNED_OUT;
      const user = connected.user ? await readInOrder(services, ctx.extra, connected.user.id) : null;
      if (!connected.user || !isStillMember(connected.user, user)) {
        closeUnauthorized(ctx.extra);
        return [toGraphQLError(noLongerMember())];
      }
      const operation = operationOf(ctx, id, payload);
      // Only an operation that will run is remembered: one refused here (a validation error) leaves nothing.
      if (!Array.isArray(operation)) (ctx.extra.operationViewers ??= new Map()).set(id, { ...connected, user });
      return operation;
    },
    context: (ctx, id): Context => {
      const viewer = ctx.extra.operationViewers?.get(id) ?? SIGNED_OUT;
      ctx.extra.operationViewers?.delete(id);
      return createContext(services, viewer, {
        requestId: wsRequestId(ctx.extra, id),
        endSession: () => closeUnauthorized(ctx.extra),
      });
    },
  };
}

/**
 * Reads the user for an operation once the previous operation's read is done, so operations still
 * start in the order the client sent them: a subscription sent before a mutation is live before
 * the mutation runs, and hears its event.
 */
function readInOrder(services: Services, extra: Partial<SocketExtra>, userId: string): Promise<UserRow | null> {
  const read = (extra.lastRead ?? Promise.resolve()).catch(() => undefined).then(() => services.users.current(userId));
  extra.lastRead = read;
  return read;
}

/** Ends the connection as graphql-ws clients expect of lost credentials: 4401, no reconnect. */
function closeUnauthorized(extra: Extra): void {
  extra.socket.close(WsCloseCode.Unauthorized, WS_CLOSE_REASONS[WsCloseCode.Unauthorized]);
}
