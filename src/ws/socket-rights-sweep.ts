import type { WebSocket } from 'ws';
import type { Logger } from '../log';
import type { UserRow } from '../domain/domain-types';
import type { Services } from '../domain/services';
import { isStillMember } from '../graphql/context';
import { WS_CLOSE_REASONS, WsCloseCode } from './ws-close-codes';

/**
 * Ends idle sockets of users who lost their access. Every operation and every event already
 * re-reads its user (socket-auth.ts, deletion-event-delivery.ts), but a socket that sends nothing
 * and hears nothing would stay open for a deactivated user. Every SOCKET_RECHECK_INTERVAL the
 * users of all open sockets are read in one primary-key statement, and sockets of users deleted,
 * deactivated or moved to another workspace are closed with 4401. A role change is not a sign-out:
 * a demoted admin's subscriptions end at their next event (FORBIDDEN).
 */
export class SocketRightsSweep {
  private readonly sockets = new Map<WebSocket, UserRow>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly services: Services,
    private readonly logger: Logger,
  ) {}

  /** Watches a socket signed in as `user` until it closes. */
  add(socket: WebSocket, user: UserRow): void {
    this.sockets.set(socket, user);
    socket.once('close', () => this.sockets.delete(socket));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.error('socket rights sweep failed', error));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the users of every open socket once and closes the sockets of those no longer members. */
  async sweep(): Promise<void> {
    if (this.sockets.size === 0) return;
    const ids = [...new Set([...this.sockets.values()].map((user) => user.id))];
    const rows = await this.services.users.byIds(ids);
    const now = new Map(rows.flatMap((row) => (row ? [[row.id, row] as const] : [])));
    for (const [socket, user] of this.sockets) {
      if (!isStillMember(user, now.get(user.id))) {
        socket.close(WsCloseCode.Unauthorized, WS_CLOSE_REASONS[WsCloseCode.Unauthorized]);
      }
    }
  }
}
