import { ExecutionArgs, GraphQLSchema, ValidationRule } from 'graphql';
import { Context as WsContext, MessageType } from 'graphql-ws';
import { Extra, useServer } from 'graphql-ws/use/ws';
import { Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { Logger } from '../log';
import { Viewer } from '../domain/domain-types';
import { Services } from '../domain/services';
import { Context } from '../graphql/context';
import { MAX_REQUEST_BYTES } from '../http/http-errors';
import { Metrics } from '../http/metrics';
import { initTimeouts } from './init-timeout';
import { limitedOperation } from '../graphql/limits/operation-limits';
import { SocketExtra, socketAuthHooks } from './socket-auth';
import { SocketRightsSweep } from './socket-rights-sweep';
import { Subscriber, SubscriptionGroups } from './subscription-groups';
import { viewerOf } from '../http/viewer';
import { WS_CLOSE_REASONS, WsCloseCode } from './ws-close-codes';
import { wsOperationHooks } from './ws-operations';

export interface WebSocketOptions {
  services: Services;
  schema: GraphQLSchema;
  /** The same rules as HTTP's (limits, and introspection when the playground is off). */
  validationRules: readonly ValidationRule[];
  logger: Logger;
  metrics: Metrics;
  development: boolean;
  /** Whether events can be delivered now; when false, new sockets are closed with 1013 Try Again Later. */
  eventsLive?: () => boolean;
}

/** The graphql-ws side of the server: its sockets, and how to end every operation on them. */
export interface GraphqlWsServer {
  wsServer: WebSocketServer;
  /** Completes every operation and closes the sockets (graphql-ws's own cleanup). */
  dispose(): Promise<void>;
}

/** Serves graphql-ws on WebSocket upgrades of `httpServer` at `path`. */
export function serveGraphqlWs(httpServer: Server, path: string, options: WebSocketOptions): GraphqlWsServer {
  // Not `server: httpServer`: ws would re-emit a failed listen (port in use) as its own error, which
  // graphql-ws prints as an "internal error" dump before startServer can report it in one line.
  // Frames are read before connection_init authenticates anyone: cap them like HTTP bodies (1009 above it).
  const wsServer = new WebSocketServer({ noServer: true, path, maxPayload: MAX_REQUEST_BYTES });
  httpServer.on('upgrade', (req, socket, head) =>
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req)),
  );
  const { services, schema, logger, metrics, development } = options;
  const socketAuth = socketAuthHooks(services, limitedOperation(schema, options.validationRules));
  const operationReports = wsOperationHooks<SocketExtra>(logger, metrics, development);
  const groups = new SubscriptionGroups();
  const initWaits = initTimeouts(wsServer);
  const sweep = new SocketRightsSweep(services, logger);
  sweep.start(services.config.socketRecheckMs);
  /** Sends an event to subscription `id` on a socket: the group's shared JSON behind this id's head. */
  const socketSubscriber = (
    ctx: WsContext<Record<string, unknown>, Extra & SocketExtra>,
    id: string,
    args: ExecutionArgs,
  ): Subscriber => {
    const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
    return {
      deliver: (result, shared) => {
        const formatted = operationReports.nextResult(ctx, id, args, result);
        const socket = ctx.extra.socket;
        if (socket.readyState === WebSocket.OPEN)
          socket.send(`${head}${formatted ? JSON.stringify(formatted) : shared()}}`);
      },
    };
  };
  const cleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      // The token is checked once, at connection_init: a socket without a valid token is closed
      // with 4401, which graphql-ws clients treat as fatal (no retry loop with a bad token).
      onConnect: async (ctx) => {
        initWaits.received(ctx.extra.socket);
        const authorization = ctx.connectionParams?.authorization;
        const viewer = await viewerOf(services, typeof authorization === 'string' ? authorization : undefined);
        if (viewer.provisioner) return closeWith(ctx.extra.socket, WsCloseCode.Forbidden);
        if (!viewer.user) return closeWith(ctx.extra.socket, WsCloseCode.Unauthorized);
        if (options.eventsLive && !options.eventsLive()) return closeWith(ctx.extra.socket, WsCloseCode.TryAgainLater);
        ctx.extra.viewer = viewer;
        closeAtExpiry(viewer, ctx.extra.socket);
        sweep.add(ctx.extra.socket, viewer.user);
        return true;
      },
      // The user is read again for every operation and the subscriber for every event; an operation
      // from a user still allowed is then parsed and validated with the same limits as HTTP.
      ...operationReports,
      onSubscribe: async (ctx, id, payload) => {
        await operationReports.onSubscribe?.(ctx, id, payload);
        return socketAuth.onSubscribe(ctx, id, payload);
      },
      // graphql-ws hands `subscribe` the operation's arguments only, its context among them: the
      // subscriber made here, with the socket and the operation id, travels in that context.
      context: (ctx, id, payload, args): SocketOperationContext =>
        Object.assign(socketAuth.context(ctx, id, payload, args), { subscriber: socketSubscriber(ctx, id, args) }),
      // Subscribers of the same operation, role and workspace share one execution per event
      // (subscription-groups.ts), each event with its own context (its delivery's loaders).
      subscribe: (args) => groups.subscribe(args, subscriberOf(args)),
      // 4408 for a socket silent for 3 s is initTimeouts' (init-timeout.ts), which allows for a server running late.
      connectionInitWaitTimeout: 0,
      // Outside development a failing hook closes the socket with "Internal server error", not its message.
      isProd: !development,
    },
    wsServer,
  );
  return {
    wsServer,
    dispose: async () => {
      sweep.stop();
      await cleanup.dispose();
    },
  };
}

/** An operation's context over a socket: the resolvers' context and where its events go. */
type SocketOperationContext = Context & { subscriber: Subscriber };

/** The subscriber `context` made for these arguments; graphql-ws always calls it before `subscribe`. */
function subscriberOf(args: ExecutionArgs): Subscriber {
  const subscriber = (args.contextValue as Partial<SocketOperationContext> | undefined)?.subscriber;
  if (!subscriber) throw new Error('A subscription reached `subscribe` without going through `context`.');
  return subscriber;
}

/** Closes a socket before graphql-ws acknowledges it; `false` tells graphql-ws the connection is refused. */
function closeWith(socket: WebSocket, code: WsCloseCode): false {
  socket.close(code, WS_CLOSE_REASONS[code]);
  return false;
}

/** Closes a socket when its token expires, so a connection never outlives its credentials. */
function closeAtExpiry(viewer: Viewer, socket: WebSocket): void {
  if (!viewer.tokenExpiresAt) return;
  const delay = viewer.tokenExpiresAt.getTime() - Date.now();
  // setTimeout overflows past ~24.8 days; such a token is checked again when the client reconnects.
  if (delay >= 2 ** 31 - 1) return;
  const timer = setTimeout(() => socket.close(WsCloseCode.Unauthorized, 'Token expired'), Math.max(0, delay));
  socket.once('close', () => clearTimeout(timer));
}
