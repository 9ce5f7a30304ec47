import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../domain/domain-types';
import { PLAIN_FIELDS } from './plain-fields';

registerEnumType(Role, { name: 'Role', description: 'What a user may do in their workspace.' });

@ObjectType({ ...PLAIN_FIELDS, description: 'A person using the CRM; belongs to exactly one workspace.' })
export class User {
  @Field(() => ID, { description: 'Unique id of the user.' })
  id: string;

  @Field({ description: 'Display name.' })
  name: string;

  @Field({ description: 'Sign-in e-mail address.' })
  email: string;

  @Field(() => Role, {
    description: 'ADMIN may manage permanent deletion; read from the database, never from the token.',
  })
  role: Role;

  @Field(() => String, {
    nullable: true,
    description: 'Their id at the company’s identity provider (the `sub` of their tokens); null if made here.',
  })
  externalId?: string | null;

  @Field({ description: 'False once deactivated by provisioning: their tokens are refused, their rows stay.' })
  active?: boolean;
}
