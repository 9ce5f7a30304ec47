import { Field, ID, ObjectType } from 'type-graphql';
import { CrmObjectType } from './enums';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({
  ...PLAIN_FIELDS,
  description:
    'The signed receipt of a finished deletion (docs/receipts.md): a compact JWS over ids, counts, bytes and a ' +
    'Merkle root, verifiable offline against GET /.well-known/jwks.json. No titles, names, e-mails or file names.',
})
export class DeletionReceipt {
  @Field({ description: 'The receipt itself: a JWS in compact form (also at GET /deletions/<id>/receipt).' })
  jws: string;

  @Field(() => ID, { description: 'Unique id of the receipt (its payload’s receiptId).' })
  receiptId: string;

  @Field({ description: 'RFC 6962 Merkle root (hex) over the removed objects’ salted leaves.' })
  objectsRoot: string;

  @Field(() => String, {
    nullable: true,
    description: 'Hex SHA-256 of the workspace’s previous receipt JWS; null for its first receipt.',
  })
  previousReceiptHash: string | null;

  @Field({ description: 'When the receipt was issued (when the deletion ended).' })
  issuedAt: Date;

  @Field({
    description:
      'Whether the check after execution found none of the removed objects, none of their attachment rows and ' +
      'no file removal left.',
  })
  verified: boolean;

  @Field({
    description: 'Where an admin downloads it (GET with the same Authorization header; relative to the server).',
  })
  downloadUrl: string;
}

@ObjectType({ ...PLAIN_FIELDS, description: 'Names one CRM object: its type and id, nothing of its content.' })
export class ObjectRef {
  @Field(() => CrmObjectType, { description: 'The object’s type.' })
  type: CrmObjectType;

  @Field(() => ID, { description: 'The object’s id.' })
  id: string;
}

@ObjectType({
  ...PLAIN_FIELDS,
  description:
    'Proof that one erased object was in a signed receipt: fold `leaf` up `path` with RFC 6962 node hashing ' +
    'and compare with `objectsRoot`, which the receipt’s signature covers. Reveals no other id.',
})
export class InclusionProof {
  @Field(() => ObjectRef, { description: 'The erased object.' })
  ref: ObjectRef;

  @Field({
    description: 'Its leaf hash (hex): SHA-256(0x00 ‖ HMAC-SHA-256(workspace salt, "TYPE:id")).',
  })
  leaf: string;

  @Field(() => [String], {
    description: 'Sibling hashes from the leaf up, each `L:<hex>` or `R:<hex>` by the sibling’s side.',
  })
  path: string[];

  @Field({ description: 'The receipt’s Merkle root (hex).' })
  objectsRoot: string;

  @Field(() => ID, { description: 'The receipt the root is signed in.' })
  receiptId: string;
}
