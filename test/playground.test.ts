import vm from 'node:vm';
import WebSocket from 'ws';
import { ActivateDeletionDocument, CancelDeletionDocument, MarkForDeletionDocument } from '../operations/generated';
import { mustRequest } from './support/clients';
import { archivedObjects } from './support/deletion';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { warmUpSubscriptions } from './support/warm-up';

/**
 * The playground's own transport, as the browser runs it: the inline scripts of the served page
 * (graphql-ws's browser build and our fetcher) evaluated in a fresh context with browser globals,
 * talking to a real server. GraphiQL itself only calls the fetcher, so this is what a playground
 * user's queries, mutations and subscriptions go through.
 */
let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 2, 0);
});
afterAll(() => server.close());

type Fetcher = (
  params: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { headers: Record<string, string> },
) => Promise<unknown> | AsyncIterableIterator<{ data?: unknown; errors?: unknown[] }>;

/** Loads the served page's inline scripts into a browser-like context and returns its fetcher. */
async function playgroundFetcher(): Promise<Fetcher> {
  const html = await (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
  const graphqlWs = scripts.find((code) => code.includes('graphqlWs') && code.includes('createClient'));
  const fetcher = scripts.find((code) => code.includes('window.__playgroundFetcher ='));
  expect(graphqlWs).toBeDefined();
  expect(fetcher).toBeDefined();
  // A browser resolves relative URLs against the page's location; Node's fetch needs them absolute.
  const pageFetch = (input: string, init?: RequestInit) => fetch(new URL(input, server.url), init);
  const browser = vm.createContext({
    location: new URL(server.url),
    WebSocket,
    fetch: pageFetch,
    URL,
    setTimeout,
    clearTimeout,
  });
  vm.runInContext('var window = globalThis; var self = globalThis;', browser);
  vm.runInContext(graphqlWs!, browser);
  vm.runInContext(fetcher!, browser);
  return (browser as unknown as { __playgroundFetcher: Fetcher }).__playgroundFetcher;
}

it('runs queries over HTTP and subscriptions over graphql-ws with the Headers tab’s token', async () => {
  const [alice, bob] = ws.admins;
  const fetcher = await playgroundFetcher();
  const headers = { Authorization: `Bearer ${alice.token}` };
  expect(await fetcher({ query: '{ me { email role } }' }, { headers })).toEqual({
    data: { me: { email: alice.email, role: 'ADMIN' } },
  });

  // An old, cancelled deletion whose PROGRESS events tell when the subscription is live.
  await mustRequest(
    server.url,
    MarkForDeletionDocument,
    { refs: await archivedObjects(server.url, bob, 'CALL', 1) },
    bob.token,
  );
  const old = (await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
  await mustRequest(server.url, CancelDeletionDocument, { id: old.id }, bob.token);

  const events = fetcher(
    { query: '# live\nsubscription Live { deletionEvents { type actor { id } deletion { id } } }' },
    { headers },
  ) as AsyncIterableIterator<{ data?: { deletionEvents: { type: string; deletion: { id: string } } } }>;
  const received: { type: string; deletion: { id: string } }[] = [];
  void (async () => {
    for await (const { data } of events) if (data) received.push(data.deletionEvents);
  })();
  const isWarmUp = (event: { deletion: { id: string } }) => event.deletion.id === old.id;
  await warmUpSubscriptions(server.database.db, [
    { target: { workspaceId: ws.id, deletionId: old.id }, heard: () => received.filter(isWarmUp).length },
  ]);

  // Another admin activates: the playground's subscription shows it, after the warm-ups.
  const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
  await waitFor(() => received.some((event) => !isWarmUp(event)), { what: 'the activation in the playground' });
  expect(received.filter((event) => !isWarmUp(event))).toEqual([
    { type: 'ACTIVATED', actor: { id: bob.id }, deletion: { id: activated.id } },
  ]);
  await events.return?.();
});
