import type { DeletionState, ObjectType } from '../../operations/generated.js';

/** What people call each type (the API's enum names are for programs). */
export const TYPE_LABELS: Record<ObjectType, string> = {
  CONTACT: 'Contact',
  ACTIVITY: 'Activity',
  OBJECT: 'Object',
  DEAL: 'Deal',
  TASK: 'Task',
  EMAIL: 'E-mail',
  CALL: 'Call',
};

/** The plural, for captions and buttons ("Contacts", "Activities", "E-mails"). */
export function typePlural(type: ObjectType): string {
  return type === 'ACTIVITY' ? 'Activities' : `${TYPE_LABELS[type]}s`;
}

/** An object's deletion state in words. */
export const STATE_LABELS: Record<DeletionState, string> = {
  NONE: 'Not marked',
  MARKED: 'Marked for deletion',
  PENDING: 'In the pending deletion',
};

/** A refusal in a sentence: the API's messages may name ids, which say nothing to a person. */
const ERROR_SENTENCES: Record<string, string> = {
  CONFLICT: 'That is not possible right now: a deletion is pending or another admin changed the same thing first.',
  FORBIDDEN: 'Your account is not allowed to do that; an admin of your workspace can.',
  UNAUTHENTICATED: 'Your sign-in was not accepted or has expired. Sign in again.',
  NOT_FOUND: 'Some of these objects no longer exist or are not visible to you. The list has been refreshed.',
  BAD_USER_INPUT:
    'The request was refused as invalid: check the values entered (tasks can be marked only once Removed or Verified).',
  NETWORK_ERROR: 'The server could not be reached. Check the connection and try again.',
};

/** The sentence shown for an error code; unknown codes get a general one. */
export function errorSentence(code: string): string {
  return ERROR_SENTENCES[code] ?? 'Something went wrong on the server. Try again in a moment.';
}
