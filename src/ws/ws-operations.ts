import {
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  getOperationAST,
  GraphQLError,
  GraphQLFormattedError,
} from 'graphql';
import { Context as WsContext, ServerOptions } from 'graphql-ws';
import { Logger } from '../log';
import { Viewer } from '../domain/domain-types';
import { formatError } from '../graphql/graphql-errors';
import { Metrics } from '../http/metrics';
import { newRequestId, OperationReport } from '../graphql/operation-report';

/** What a socket keeps of its running operations: one report (and request id) per operation id. */
export type WsOperationsExtra = {
  viewer?: Viewer;
  operations?: Map<string, OperationReport>;
};

type Hooks<E extends WsOperationsExtra> = Pick<
  ServerOptions<Record<string, unknown>, E>,
  'onSubscribe' | 'onNext' | 'onError' | 'onComplete'
> & {
  /**
   * `onNext` for a result sent without graphql-ws (a subscription group's shared frame): counts
   * it, and returns the result to send in its place when it has errors to format.
   */
  nextResult(
    ctx: WsContext<Record<string, unknown>, E>,
    id: string,
    args: ExecutionArgs,
    result: ExecutionResult,
  ): FormattedExecutionResult | undefined;
};

/**
 * graphql-ws hooks that do for each operation over a socket what Apollo's formatError and
 * operationLogPlugin do over HTTP: a request id per operation, errors mapped to ErrorCode and
 * unknown ones masked, one log line and the metrics; events sent to subscribers are counted.
 */
export function wsOperationHooks<E extends WsOperationsExtra>(
  logger: Logger,
  metrics: Metrics,
  development: boolean,
): Hooks<E> {
  const reportOf = (ctx: WsContext<Record<string, unknown>, E>, id: string) => ctx.extra.operations?.get(id);
  const format = (report: OperationReport | undefined, errors: readonly GraphQLError[]): GraphQLFormattedError[] => {
    report?.logUnknownErrors(errors);
    const formatted = errors.map((error) => formatError(error.toJSON(), error, development));
    return report ? report.stamp(formatted) : formatted;
  };
  const end = (ctx: WsContext<Record<string, unknown>, E>, id: string) => {
    reportOf(ctx, id)?.finish();
    ctx.extra.operations?.delete(id);
  };
  const nextResult: Hooks<E>['nextResult'] = (ctx, id, args, result) => {
    const operation = getOperationAST(args.document, args.operationName);
    const report = reportOf(ctx, id);
    if (report) report.operationName = operation?.name?.value;
    if (operation?.operation === 'subscription') metrics.recordEventDelivered();
    if (!result.errors) return undefined;
    return { ...result, errors: format(report, result.errors) };
  };
  return {
    nextResult,
    onSubscribe: (ctx, id, payload) => {
      const report = new OperationReport(newRequestId(), ctx.extra.viewer, 'ws', logger, metrics);
      report.operationName = payload.operationName ?? undefined;
      ctx.extra.operations ??= new Map();
      ctx.extra.operations.set(id, report);
    },
    onNext: (ctx, id, _payload, args: ExecutionArgs, result: ExecutionResult) => nextResult(ctx, id, args, result),
    // Errors that end an operation before or instead of a result: validation, a failing stream.
    onError: (ctx, id, _payload, errors) => {
      const formatted = format(reportOf(ctx, id), errors);
      end(ctx, id);
      return formatted;
    },
    onComplete: (ctx, id) => end(ctx, id),
  };
}

/** The request id of operation `id` on a socket, for its resolvers' context. */
export function wsRequestId(extra: WsOperationsExtra, id: string): string {
  return extra.operations?.get(id)?.requestId ?? newRequestId();
}
