import WebSocket from 'ws';
import type { ClientsCommand, ClientsReply, ConnectOutcome, Kind } from './fanout-protocol';

/**
 * The clients of the fanout bench, in a process of their own so their memory and CPU are not
 * the servers'. Ours speak graphql-ws's protocol over plain `ws` sockets (connection_init, then
 * one subscribe), the lightest client possible, so the client side is not what is measured;
 * bare ones only connect. Both only count the frames they receive.
 */
interface Socket {
  kind: Kind;
  ws: WebSocket;
  seen: boolean;
}

const sockets: Socket[] = [];
let expecting: { kind: Kind; left: number } | undefined;
let sample: string | undefined;
const frames: Record<Kind, number> = { ours: 0, bare: 0 };
const reply = (message: ClientsReply) => process.send!(message);

function connect(command: Extract<ClientsCommand, { cmd: 'connect' }>): void {
  const { kind, url, token, query, count, overMs } = command;
  const outcome: ConnectOutcome = { opened: 0, acked: 0, closes: {}, ms: 0 };
  const start = performance.now();
  let settled = 0;
  const settle = () => {
    settled += 1;
    outcome.ms = performance.now() - start;
    if (settled === count) reply({ connected: outcome });
  };
  const open = () => {
    const ws = new WebSocket(url, kind === 'ours' ? 'graphql-transport-ws' : undefined);
    const socket: Socket = { kind, ws, seen: false };
    sockets.push(socket);
    let acked = kind === 'bare';
    ws.on('open', () => {
      outcome.opened += 1;
      if (kind === 'bare') return settle();
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: token } }));
    });
    ws.on('message', (data: Buffer) => {
      if (acked) return received(socket, data);
      // The server's first message to a graphql-ws client is connection_ack.
      acked = true;
      outcome.acked += 1;
      settle();
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    });
    ws.on('close', (code) => {
      if (acked) return;
      acked = true;
      outcome.closes[code] = (outcome.closes[code] ?? 0) + 1;
      settle();
    });
    ws.on('error', () => undefined);
  };
  for (let i = 0; i < count; i++) setTimeout(open, (i * overMs) / count);
}

function received(socket: Socket, data: Buffer): void {
  socket.seen = true;
  frames[socket.kind] += 1;
  if (socket.kind === 'ours') sample ??= data.toString();
  if (expecting?.kind !== socket.kind) return;
  expecting.left -= 1;
  if (expecting.left === 0) {
    expecting = undefined;
    reply({ received: true });
  }
}

process.on('message', (command: ClientsCommand) => {
  switch (command.cmd) {
    case 'connect':
      return connect(command);
    case 'live':
      return reply({
        live: sockets.filter((s) => s.kind === command.kind && s.seen).length,
        frames: frames[command.kind],
      });
    case 'expect':
      expecting = { kind: command.kind, left: command.count };
      return reply({ armed: true });
    case 'sample':
      return reply({ sample: sample ?? '' });
    case 'disconnect':
      for (const socket of sockets.splice(0)) socket.ws.terminate();
      return reply({ disconnected: true });
  }
});
process.on('disconnect', () => process.exit(0));
