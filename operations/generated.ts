/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Narrows the archive list; all parts are optional and combine with AND. */
export type ArchivedFilter = {
  /** Only objects archived after this instant. */
  archivedAfter?: string | null | undefined;
  /** Only objects archived before this instant. */
  archivedBefore?: string | null | undefined;
  /** Only objects created by this user (ID). */
  createdBy?: string | null | undefined;
  /** Only objects whose title contains this text (case-insensitive). */
  titleContains?: string | null | undefined;
};

/** A new CRM object: its type, title, and any of that type’s own fields (others are refused). */
export type CreateObjectInput = {
  /** DEAL: value in cents. */
  amountCents?: number | null | undefined;
  /** OBJECT: category. */
  category?: string | null | undefined;
  /** CONTACT: company. */
  company?: string | null | undefined;
  /** DEAL: currency code. */
  currency?: string | null | undefined;
  /** OBJECT: description. */
  description?: string | null | undefined;
  /** CALL: INBOUND or OUTBOUND. */
  direction?: string | null | undefined;
  /** TASK: due date. */
  dueAt?: string | null | undefined;
  /** CALL: length in seconds. */
  durationSeconds?: number | null | undefined;
  /** CONTACT: e-mail address. */
  email?: string | null | undefined;
  /** EMAIL: sender address. */
  fromAddress?: string | null | undefined;
  /** ACTIVITY: kind, e.g. MEETING. */
  kind?: string | null | undefined;
  /** ACTIVITY: when it happened. */
  occurredAt?: string | null | undefined;
  /** CONTACT: phone number. */
  phone?: string | null | undefined;
  /** CALL: the other party’s number. */
  phoneNumber?: string | null | undefined;
  /** EMAIL: when it was sent. */
  sentAt?: string | null | undefined;
  /** DEAL: pipeline stage. */
  stage?: string | null | undefined;
  /** TASK: status (OPEN when omitted). */
  status?: TaskStatus | null | undefined;
  /** Display title, 1 to 500 characters. */
  title: string;
  /** EMAIL: recipient address. */
  toAddress?: string | null | undefined;
  /** Which kind of object to create. */
  type: ObjectType;
};

/** NONE; MARKED: in the selection for the next deletion; PENDING: in an activated deletion. */
export type DeletionState =
  | 'MARKED'
  | 'NONE'
  | 'PENDING';

/** Names one CRM object: ids are unique within a type. */
export type ObjectRefInput = {
  id: string;
  type: ObjectType;
};

/** The seven kinds of CRM object. OBJECT is a generic business object. */
export type ObjectType =
  | 'ACTIVITY'
  | 'CALL'
  | 'CONTACT'
  | 'DEAL'
  | 'EMAIL'
  | 'OBJECT'
  | 'TASK';

/** What a user may do in their workspace. */
export type Role =
  | 'ADMIN'
  | 'MEMBER';

/** A task may be marked for permanent deletion only when REMOVED or VERIFIED. */
export type TaskStatus =
  | 'DONE'
  | 'IN_PROGRESS'
  | 'OPEN'
  | 'REMOVED'
  | 'VERIFIED';

export type ArchiveObjectsMutationVariables = Exact<{
  refs: Array<ObjectRefInput> | ObjectRefInput;
}>;


export type ArchiveObjectsMutation = { archiveObjects: Array<
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { email: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { amountCents: number | null, currency: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { status: TaskStatus, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
  > };

export type RestoreObjectsMutationVariables = Exact<{
  refs: Array<ObjectRefInput> | ObjectRefInput;
}>;


export type RestoreObjectsMutation = { restoreObjects: Array<
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { email: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { amountCents: number | null, currency: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { status: TaskStatus, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
  > };

export type ArchivedObjectsQueryVariables = Exact<{
  type: ObjectType;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ArchivedFilter | null | undefined;
}>;


export type ArchivedObjectsQuery = { archivedObjects: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
        | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { email: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { amountCents: number | null, currency: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
        | { status: TaskStatus, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
       }> } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, name: string, email: string, role: Role } };

type ObjectFields_Activity_Fragment = { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_BusinessObject_Fragment = { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_Call_Fragment = { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_Contact_Fragment = { email: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_Deal_Fragment = { amountCents: number | null, currency: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_Email_Fragment = { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

type ObjectFields_Task_Fragment = { status: TaskStatus, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> };

export type ObjectFieldsFragment =
  | ObjectFields_Activity_Fragment
  | ObjectFields_BusinessObject_Fragment
  | ObjectFields_Call_Fragment
  | ObjectFields_Contact_Fragment
  | ObjectFields_Deal_Fragment
  | ObjectFields_Email_Fragment
  | ObjectFields_Task_Fragment
;

export type CreateObjectMutationVariables = Exact<{
  input: CreateObjectInput;
}>;


export type CreateObjectMutation = { createObject:
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { email: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { amountCents: number | null, currency: string | null, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
    | { status: TaskStatus, id: string, type: ObjectType, title: string, createdAt: string, archivedAt: string | null, attachmentBytes: number, deletionState: DeletionState, archivedBy: { id: string } | null, createdBy: { id: string }, attachments: Array<{ id: string, fileName: string, mimeType: string, sizeBytes: number, createdBy: { id: string } }> }
   };

export type SetTaskStatusMutationVariables = Exact<{
  id: string;
  status: TaskStatus;
}>;


export type SetTaskStatusMutation = { setTaskStatus: { id: string, status: TaskStatus, deletionState: DeletionState } };

export const ObjectFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ObjectFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CrmObject"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attachmentBytes"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}},{"kind":"Field","name":{"kind":"Name","value":"attachments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"mimeType"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deal"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Contact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]} as unknown as DocumentNode<ObjectFieldsFragment, unknown>;
export const ArchiveObjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ArchiveObjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refs"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ObjectRefInput"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archiveObjects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refs"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ObjectFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ObjectFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CrmObject"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attachmentBytes"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}},{"kind":"Field","name":{"kind":"Name","value":"attachments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"mimeType"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deal"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Contact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]} as unknown as DocumentNode<ArchiveObjectsMutation, ArchiveObjectsMutationVariables>;
export const RestoreObjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RestoreObjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refs"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ObjectRefInput"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"restoreObjects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refs"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ObjectFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ObjectFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CrmObject"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attachmentBytes"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}},{"kind":"Field","name":{"kind":"Name","value":"attachments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"mimeType"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deal"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Contact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]} as unknown as DocumentNode<RestoreObjectsMutation, RestoreObjectsMutationVariables>;
export const ArchivedObjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ArchivedObjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"type"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ObjectType"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ArchivedFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archivedObjects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"type"},"value":{"kind":"Variable","name":{"kind":"Name","value":"type"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ObjectFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ObjectFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CrmObject"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attachmentBytes"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}},{"kind":"Field","name":{"kind":"Name","value":"attachments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"mimeType"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deal"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Contact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]} as unknown as DocumentNode<ArchivedObjectsQuery, ArchivedObjectsQueryVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const CreateObjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateObject"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateObjectInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createObject"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ObjectFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ObjectFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CrmObject"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"archivedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"attachmentBytes"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}},{"kind":"Field","name":{"kind":"Name","value":"attachments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"mimeType"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Deal"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountCents"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Contact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]} as unknown as DocumentNode<CreateObjectMutation, CreateObjectMutationVariables>;
export const SetTaskStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetTaskStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskStatus"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setTaskStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deletionState"}}]}}]}}]} as unknown as DocumentNode<SetTaskStatusMutation, SetTaskStatusMutationVariables>;