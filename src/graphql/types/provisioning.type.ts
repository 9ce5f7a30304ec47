import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../domain/domain-types';
import { Connection } from './connection';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, description: 'One CRM customer (tenant); everything belongs to exactly one.' })
export class Workspace {
  @Field(() => ID, { description: 'Unique id of the workspace.' })
  id: string;

  @Field(() => String, {
    nullable: true,
    description: 'Its id at the company’s identity provider: the value of the tokens’ workspace claim.',
  })
  externalId: string | null;

  @Field({ description: 'Display name.' })
  name: string;
}

@InputType({ description: 'A workspace as the CRM’s backend has it; upserted by externalId.' })
export class WorkspaceProvisionInput {
  @Field({ description: 'Its id at the identity provider (the tokens’ workspace claim, e.g. `org_id`).' })
  externalId: string;

  @Field({ description: 'Display name.' })
  name: string;
}

@InputType({ description: 'A user as the CRM’s backend has them; upserted by (workspace, externalId).' })
export class UserProvisionInput {
  @Field({ description: 'Their id at the identity provider: the `sub` of their tokens.' })
  externalId: string;

  @Field({ description: 'The externalId of their workspace, provisioned before.' })
  workspaceExternalId: string;

  @Field({ description: 'E-mail address, unique within the workspace.' })
  email: string;

  @Field({ description: 'Display name.' })
  name: string;

  @Field(() => Role, { description: 'What they may do in the workspace.' })
  role: Role;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description: 'False deactivates them: their tokens are refused, their rows stay. Omitted or null: active.',
  })
  active?: boolean | null;
}

@ObjectType({ ...PLAIN_FIELDS, description: 'One change the CRM’s backend made to a workspace or its users.' })
export class ProvisioningChange {
  @Field(() => ID)
  id: string;

  @Field({ description: 'The client id of the provisioning token that made the change.' })
  clientId: string;

  @Field({ description: '`workspace.created`, `workspace.updated`, `user.created` or `user.updated`.' })
  kind: string;

  @Field({ description: 'The externalId of the workspace or user changed.' })
  subjectExternalId: string;

  @Field({
    description: 'JSON: the values set (created), or `{ "field": { "from", "to" } }` for each field changed.',
  })
  changes: string;

  @Field({ description: 'When it was made.' })
  changedAt: Date;
}

export const ProvisioningChangeConnection = Connection('ProvisioningChange', ProvisioningChange);
