import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, PubSub } from 'type-graphql';
import { UserResolver } from '../resolvers/user.resolver';
import { authChecker } from './context';

/** The resolvers that make up the API; the schema file is emitted from them. */
export const RESOLVERS = [UserResolver] as const;

/** Builds the executable schema. `pubSub` carries events to this process's subscribers. */
export function createSchema(pubSub: PubSub = createPubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    pubSub,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    orphanedTypes: [],
    emitSchemaFile: false,
  });
}
