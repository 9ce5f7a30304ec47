import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ActivateDeletionDocument,
  ArchivedObjectsDocument,
  ArchiveObjectsDocument,
  CancelDeletionDocument,
  DeletionEventsDocument,
  MarkForDeletionDocument,
} from '../operations/generated';
import possibleTypesResult from '../operations/possible-types';
import { mustRequest } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { isWarmUp, warmUpSubscriptions } from './support/warm-up';

/**
 * The Apollo Client setup docs/frontend.md shows, run as written against a real server: a real
 * InMemoryCache with the generated `possibleTypes`, HTTP for queries and graphql-ws (with Node's
 * `webSocketImpl`) for subscriptions. The fragment on the CrmObject interface is the trap: without
 * possibleTypes the cache cannot tell that a Deal is a CrmObject and drops the fragment's fields.
 */

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 1, 0);
  const deal = await createObject(server.url, ws.admins[0], 'DEAL', 'apollo deal');
  await mustRequest(server.url, ArchiveObjectsDocument, { refs: [deal] }, ws.admins[0].token);
});
afterAll(() => server.close());

/** The documented client: HTTP for queries and mutations, graphql-ws for subscriptions. */
function documentedClient(token: string, cache: InMemoryCache) {
  const wsClient = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const http = new HttpLink({ uri: server.url, headers: { Authorization: `Bearer ${token}` } });
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(wsClient),
    http,
  );
  return { client: new ApolloClient({ link, cache }), wsClient };
}

async function archivedDeals(cache: InMemoryCache) {
  const { client, wsClient } = documentedClient(ws.admins[0].token, cache);
  try {
    const result = await client.query({ query: ArchivedObjectsDocument, variables: { type: 'DEAL', first: 10 } });
    return result.data?.archivedObjects.edges.map((edge) => edge.node) ?? [];
  } finally {
    await wsClient.dispose();
  }
}

it('returns every field of an interface fragment through the cache with the generated possibleTypes', async () => {
  const [deal] = await archivedDeals(new InMemoryCache({ possibleTypes: possibleTypesResult.possibleTypes }));
  expect(deal).toMatchObject({ __typename: 'Deal', title: 'apollo deal', deletionState: 'NONE' });
  expect(deal.id).toEqual(expect.any(String));
  expect(deal.archivedBy?.id).toBe(ws.admins[0].id);
  expect(deal.attachments).toEqual([]);
});

it('without possibleTypes the same query loses those fields (why the kit ships them)', async () => {
  const [deal] = await archivedDeals(new InMemoryCache());
  expect(deal).toMatchObject({ __typename: 'Deal' });
  expect(deal.id).toBeUndefined();
  expect(deal.title).toBeUndefined();
});

it('delivers deletion events through GraphQLWsLink in Node', async () => {
  const admin = ws.admins[0];
  await mustRequest(server.url, MarkForDeletionDocument, { filter: { type: 'DEAL' } }, admin.token);
  const { activateDeletion } = await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token);
  const target = { workspaceId: ws.id, deletionId: activateDeletion.id };
  const { client, wsClient } = documentedClient(
    admin.token,
    new InMemoryCache({ possibleTypes: possibleTypesResult.possibleTypes }),
  );
  const heard: { type: string; deletion: { id: string; status: string } | null }[] = [];
  let warmUps = 0;
  const subscription = client.subscribe({ query: DeletionEventsDocument }).subscribe({
    next: ({ data }) => {
      if (!data) return;
      if (isWarmUp(data.deletionEvents, [target])) warmUps += 1;
      else heard.push(data.deletionEvents);
    },
  });
  try {
    await warmUpSubscriptions(server.database.db, [{ target, heard: () => warmUps }]);
    await mustRequest(server.url, CancelDeletionDocument, { id: activateDeletion.id }, admin.token);
    await waitFor(() => heard.length > 0, { what: 'the CANCELLED event' });
    expect(heard[0]).toMatchObject({ type: 'CANCELLED', deletion: { id: activateDeletion.id, status: 'CANCELLED' } });
  } finally {
    subscription.unsubscribe();
    await wsClient.dispose();
  }
});
