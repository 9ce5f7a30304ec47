import { ApolloServerPlugin } from '@apollo/server';
import { AppError, ErrorCode, internalError } from '../errors';
import { Logger } from '../log';
import { Context } from './context';
import { OperationMetrics, OperationReport } from './operation-report';

/**
 * Apollo's side of OperationReport: logs unknown errors with the request id, puts that id into
 * the internal errors the client receives, and writes one line and the metrics per request.
 */
export function operationLogPlugin(logger: Logger, metrics: OperationMetrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const report = new OperationReport(contextValue.requestId, contextValue.viewer, 'http', logger, metrics);
      return {
        async didEncounterErrors({ errors }) {
          report.logUnknownErrors(errors);
        },
        async willSendResponse({ response, operationName }) {
          // Formatted by formatError already; only incremental delivery (unused here) has no single result.
          if (response.body.kind === 'single' && response.body.singleResult.errors)
            response.body.singleResult.errors = report.stamp(response.body.singleResult.errors);
          report.finish(operationName ?? undefined);
        },
      };
    },
  };
}

/**
 * Builds a request's context; a failure that is not ours (the database is down while the token's
 * user is looked up) is logged with the request id and answered as a bare internal error, since
 * Apollo would otherwise send "Context creation failed: " and the driver's message.
 */
export async function contextOrInternalError(
  requestId: string,
  logger: Logger,
  metrics: OperationMetrics,
  create: () => Promise<Context>,
): Promise<Context> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof AppError) throw error;
    logger.error('creating the request context failed', error, { requestId });
    metrics.recordError(ErrorCode.INTERNAL_SERVER_ERROR);
    throw internalError(requestId);
  }
}
