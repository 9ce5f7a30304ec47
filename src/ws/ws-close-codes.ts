import { CloseCode } from 'graphql-ws';

/**
 * The WebSocket close codes this server sends, and what a client should do on each (docs/live-notifications.md). graphql-ws clients give up on 4401 and on internal codes other than
 * 1000/1001/1005/1006/1012/1013/1014; they reconnect on every other code, 4205 included.
 */
export enum WsCloseCode {
  /**
   * The token is missing, malformed, badly signed, expired, or names no user — at connect or
   * when it expires while connected. Fatal for graphql-ws clients: get a new token, then reconnect.
   */
  Unauthorized = CloseCode.Unauthorized,
  /** A provisioning token (the CRM's backend): it may call the provision mutations over HTTP only. */
  Forbidden = CloseCode.Forbidden,
  /**
   * This instance's LISTEN connection dropped and came back: events may have been missed.
   * Reconnect (graphql-ws does it by itself) and refetch `notifications(unreadOnly: true)` and
   * `deletionOverview`.
   */
  EventsMissed = 4205,
  /** The server is shutting down; reconnect (a load balancer sends you to another instance). */
  GoingAway = 1001,
  /** The server cannot deliver events right now (its LISTEN connection is down); retry shortly. */
  TryAgainLater = 1013,
}

/** The reason sent with each close code: short, since a close frame's reason must fit in 123 bytes. */
export const WS_CLOSE_REASONS: Record<WsCloseCode, string> = {
  [WsCloseCode.Unauthorized]: 'Unauthorized',
  [WsCloseCode.Forbidden]: 'Forbidden: a provisioning token opens no socket',
  [WsCloseCode.EventsMissed]: 'Events may have been missed: reconnect and refetch',
  [WsCloseCode.GoingAway]: 'Server shutting down',
  [WsCloseCode.TryAgainLater]: 'Events unavailable: try again later',
};
