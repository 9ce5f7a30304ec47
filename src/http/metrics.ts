import { RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Config } from '../config';
import { ErrorCode } from '../errors';
import { sendJsonError } from './http-errors';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Sql } from '../database/database';
import { sqlLiterals } from '../database/sql';
import { Logger } from '../log';
import { ACTIVE_DELETION_STATUSES } from '../domain/deletion/deletion-status';
import { OperationMetrics, OperationRecord } from '../graphql/operation-report';

export const METRICS_PATH = '/metrics';

// Operation names are chosen by clients: past this many distinct ones, new names count as
// "other", so a client cannot grow the metrics without bound.
const MAX_OPERATION_LABELS = 100;

// Only the active statuses: at most one per workspace, read through the partial indexes whose
// predicate this list matches (deletions_due, deletions_one_active), so a scrape costs the same
// however long the history grows. Finished deletions are history (the `deletions` query). The
// statuses are written into the text, not passed as a parameter, so the planner can prove the
// partial index applies (as in the claim statement).
const ACTIVE_DELETIONS_SQL = `
  SELECT status, count(*)::int AS count FROM deletions
  WHERE status IN (${sqlLiterals(ACTIVE_DELETION_STATUSES)}) GROUP BY status`;

/**
 * What the metrics count of one committed executor chunk; the app hands the scheduler's progress in
 * (app.ts), so this transport knows nothing of the scheduler.
 */
export interface ChunkMetrics {
  objects: number;
  bytes: number;
  /** The chunk's transaction and file removal, in milliseconds. */
  durationMs: number;
}

/**
 * This instance's Prometheus metrics in a registry of its own (tests run several apps in one
 * process; prom-client's global registry would make them collide). Served at `GET /metrics`.
 */
export class Metrics implements OperationMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private socketCount: () => number = () => 0;
  private readonly requests = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations answered, by operation name and transport.',
    labelNames: ['operation', 'transport'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL operation to its answer (a subscription: its whole life).',
    labelNames: ['operation', 'transport'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly eventsDelivered = new Counter({
    name: 'deletion_events_delivered_total',
    help: 'Deletion events sent to WebSocket subscribers.',
    registers: [this.registry],
  });
  private readonly objectsDeleted = new Counter({
    name: 'deletion_objects_deleted_total',
    help: 'Objects permanently deleted by this instance’s executor.',
    registers: [this.registry],
  });
  private readonly bytesDeleted = new Counter({
    name: 'deletion_bytes_deleted_total',
    help: 'Attachment bytes permanently deleted by this instance’s executor.',
    registers: [this.registry],
  });
  private readonly chunkDuration = new Histogram({
    name: 'deletion_chunk_duration_seconds',
    help: 'Time of one executor chunk: its transaction (its files are deleted while the next chunk runs).',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(db: Sql, logger: Logger) {
    const openSockets: Gauge = new Gauge({
      name: 'websocket_connections_open',
      help: 'WebSocket connections open on this instance.',
      registers: [this.registry],
      collect: () => openSockets.set(this.socketCount()),
    });
    new Gauge({
      name: 'deletions_active',
      help: 'Deletions PENDING or EXECUTING in the database (all instances, all workspaces); read at scrape time.',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        try {
          const rows = await db.rows<{ status: string; count: number }>(ACTIVE_DELETIONS_SQL);
          for (const status of ACTIVE_DELETION_STATUSES)
            this.set({ status }, rows.find((row) => row.status === status)?.count ?? 0);
        } catch (error) {
          // Without the database the other metrics still matter most: this one is left out.
          this.reset();
          logger.warn('metrics: counting deletions failed', { err: String(error) });
        }
      },
    });
  }

  /** Counts one answered operation, its latency and the codes of the errors it returned. */
  recordOperation(record: OperationRecord): void {
    const labels = { operation: this.operationLabel(record.operationName), transport: record.transport };
    this.requests.inc(labels);
    this.latency.observe(labels, record.durationMs / 1000);
    for (const code of record.errorCodes) this.errors.inc({ code });
  }

  /** Counts errors answered outside a GraphQL operation (e.g. the upload route). */
  recordError(code: string): void {
    this.errors.inc({ code });
  }

  recordEventDelivered(): void {
    this.eventsDelivered.inc();
  }

  /** The executor's `afterChunk` hook: objects, bytes and time of one committed chunk. */
  recordChunk(progress: ChunkMetrics): void {
    this.objectsDeleted.inc(progress.objects);
    this.bytesDeleted.inc(progress.bytes);
    this.chunkDuration.observe(progress.durationMs / 1000);
  }

  /** Where the open WebSocket count is read at scrape time. */
  countSocketsWith(count: () => number): void {
    this.socketCount = count;
  }

  /** `GET /metrics` in Prometheus's text format. */
  readonly handler: RequestHandler = async (_req, res) => {
    res.setHeader('content-type', this.registry.contentType);
    res.send(await this.registry.metrics());
  };

  private operationLabel(name: string | undefined): string {
    if (!name) return '(anonymous)';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_LABELS) return 'other';
    this.operationNames.add(name);
    return name;
  }
}

/**
 * Who may read `/metrics` (docs/observability.md): with METRICS_TOKEN set, only a request with
 * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise); without it, anyone outside production and
 * nobody in production (404, as for a path that does not exist), since the metrics tell an outsider
 * how busy the service is and what operations its clients run.
 */
export function metricsAccess(config: Pick<Config, 'nodeEnv' | 'metricsToken'>): RequestHandler {
  const expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  return (req, res, next) => {
    if (expected === undefined) {
      if (config.nodeEnv !== 'production') return next();
      const message = 'Metrics are not served here in production: set METRICS_TOKEN and scrape with it.';
      return sendJsonError(res, 404, ErrorCode.NOT_FOUND, message);
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    // Compared as digests, in constant time: neither the length nor a prefix of the token leaks.
    if (token !== undefined && timingSafeEqual(digest(token), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    sendJsonError(res, 401, ErrorCode.UNAUTHENTICATED, 'Send "Authorization: Bearer <METRICS_TOKEN>" to read metrics.');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
