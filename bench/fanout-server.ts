import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import type { Kind, ServerCommand, ServerReply } from './fanout-protocol';

/**
 * One server of the fanout bench, alone in its process so its RSS is its own: `ours` is the app
 * (DATABASE_URL, JWT_SECRET, DATA_DIR from the environment), `bare` a `ws` server that broadcasts one frame
 * to every client when told. Started with --expose-gc, so RSS is read after a full collection.
 */
async function main(kind: Kind): Promise<void> {
  const reply = (message: ServerReply) => process.send!(message);
  let broadcast = () => undefined as void;
  if (kind === 'ours') {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: process.env.DATABASE_URL!,
      DATA_DIR: process.env.DATA_DIR!,
      JWT_SECRET: process.env.JWT_SECRET!,
      SCHEDULER_INTERVAL: '1h',
      LOG_LEVEL: 'silent',
    });
    const app = await startApp(config, createLogger('silent'));
    reply({ ready: app.server.url.replace(/^http/, 'ws') });
  } else {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    let frame = '';
    process.on('message', (command: ServerCommand) => {
      if (command.cmd === 'setFrame') frame = command.frame;
    });
    broadcast = () => {
      for (const client of wss.clients) client.send(frame);
    };
    reply({ ready: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` });
  }
  process.on('message', (command: ServerCommand) => {
    if (command.cmd === 'rss') {
      global.gc!();
      global.gc!();
      reply({ rss: process.memoryUsage().rss });
    } else if (command.cmd === 'broadcast') {
      broadcast();
      reply({ done: true });
    }
  });
  // The bench SIGKILLs this process; a parent that died leaves no orphan behind.
  process.on('disconnect', () => process.exit(0));
}

main(process.argv[2] as Kind).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
