import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../errors';
import { LogFields, Logger } from '../log';
import { Viewer } from '../domain/domain-types';
import { innermostError, isPublicError } from './graphql-errors';

/** How an operation reached us. */
type Transport = 'http' | 'ws';

/** One finished GraphQL operation, as the request log and the metrics see it. */
export interface OperationRecord {
  operationName: string | undefined;
  transport: Transport;
  durationMs: number;
  /** The `extensions.code` of each error the client received. */
  errorCodes: string[];
}

/** Where operations are counted: the instance's metrics (http/metrics.ts), handed in by the transports. */
export interface OperationMetrics {
  /** Counts one answered operation, its latency and the codes of the errors it returned. */
  recordOperation(record: OperationRecord): void;
  /** Counts an error answered outside a GraphQL operation. */
  recordError(code: string): void;
}

/** A new id for one request or one WebSocket operation. */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * What HTTP and WebSocket share once an operation has run: the original of every unknown error
 * is logged with the request id (the client only sees that id), the formatted errors carry it,
 * and one log line and the metrics record the operation. Never logs a token, variables or text.
 */
export class OperationReport {
  private readonly started = performance.now();
  private readonly errorCodes: string[] = [];
  readonly log: Logger;
  /** The operation's name, once known (a WebSocket learns it from the parsed document). */
  operationName: string | undefined;

  constructor(
    readonly requestId: string,
    viewer: Viewer | undefined,
    private readonly transport: Transport,
    logger: Logger,
    private readonly metrics: OperationMetrics,
  ) {
    this.log = logger.child({ requestId, ...viewerFields(viewer) });
  }

  /** Logs the original of each error that is not ours (a driver error, a bug), with the request id. */
  logUnknownErrors(errors: readonly GraphQLError[]): void {
    for (const error of errors) {
      if (isPublicError(error, error.toJSON())) continue;
      this.log.error('operation failed', innermostError(error));
    }
  }

  /** Adds the request id to internal errors (so the client can quote it) and remembers every code. */
  stamp(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
    return errors.map((error) => {
      const code = String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
      this.errorCodes.push(code);
      if (code !== ErrorCode.INTERNAL_SERVER_ERROR) return error;
      return { ...error, extensions: { ...error.extensions, requestId: this.requestId } };
    });
  }

  /** One line and the metrics for the finished operation. */
  finish(operationName = this.operationName): void {
    const durationMs = Math.round((performance.now() - this.started) * 10) / 10;
    const fields: LogFields = { operationName: operationName ?? null, transport: this.transport, durationMs };
    if (this.errorCodes.length > 0) fields.errorCodes = this.errorCodes;
    this.log.info('graphql operation', fields);
    this.metrics.recordOperation({ operationName, transport: this.transport, durationMs, errorCodes: this.errorCodes });
  }
}

function viewerFields(viewer: Viewer | undefined): LogFields {
  const user = viewer?.user;
  return user ? { userId: user.id, workspaceId: user.workspaceId } : { userId: null };
}
