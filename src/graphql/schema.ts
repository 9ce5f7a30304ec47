import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLSchema, isInterfaceType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, PubSub } from 'type-graphql';
import { ArchiveResolver } from './resolvers/archive.resolver';
import { AttachmentResolver, CrmObjectResolver } from './resolvers/crm-object.resolver';
import { CrmObject, resolveCrmObjectType } from './types/crm-object.type';
import { CRM_OBJECT_TYPES } from './types/crm-objects.type';
import { DeletionEventResolver } from './resolvers/deletion-event.resolver';
import { DeletionExportResolver } from './resolvers/deletion-export.resolver';
import { DeletionFieldsResolver } from './resolvers/deletion-fields.resolver';
import { DeletionObjectsResolver } from './resolvers/deletion-objects.resolver';
import { DeletionResolver } from './resolvers/deletion.resolver';
import { DeletionSettingsChangeResolver, DeletionSettingsResolver } from './resolvers/deletion-settings.resolver';
import { LegalHoldResolver } from './resolvers/legal-hold.resolver';
import { NotificationResolver } from './resolvers/notification.resolver';
import { ObjectResolver } from './resolvers/object.resolver';
import { ProvisioningResolver } from './resolvers/provisioning.resolver';
import { ReceiptResolver } from './resolvers/receipt.resolver';
import { UserResolver } from './resolvers/user.resolver';
import { DeletionDeliveriesResolver, WebhookResolver } from './resolvers/webhook.resolver';
import { authChecker } from './context';
import { refuseInvalidTextArguments } from './text-arguments';

/** The resolvers that make up the API; the schema file is emitted from them. */
const RESOLVERS = [
  UserResolver,
  CrmObjectResolver,
  AttachmentResolver,
  ObjectResolver,
  ArchiveResolver,
  DeletionResolver,
  DeletionFieldsResolver,
  DeletionObjectsResolver,
  DeletionExportResolver,
  DeletionEventResolver,
  DeletionSettingsResolver,
  DeletionSettingsChangeResolver,
  NotificationResolver,
  LegalHoldResolver,
  ProvisioningResolver,
  ReceiptResolver,
  WebhookResolver,
  DeletionDeliveriesResolver,
] as const;

/** Builds the executable schema. `pubSub` carries events to this process's subscribers. */
export async function createSchema(pubSub: PubSub = createPubSub()): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    pubSub,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    orphanedTypes: CRM_OBJECT_TYPES,
    emitSchemaFile: false,
  });
  return refuseInvalidTextArguments(synchronousResolveType(schema));
}

/**
 * type-graphql wraps an interface's resolveType in an async function, so graphql-js would complete
 * every node of a page asynchronously (a promise, then promiseForObject, per node and per edge).
 * CrmObject's is a lookup: it is put back unwrapped.
 */
function synchronousResolveType(schema: GraphQLSchema): GraphQLSchema {
  const crmObject = schema.getType(CrmObject.name);
  if (!isInterfaceType(crmObject)) throw new Error(`${CrmObject.name} is not an interface of the schema`);
  crmObject.resolveType = resolveCrmObjectType;
  return schema;
}
