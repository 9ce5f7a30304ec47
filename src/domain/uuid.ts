const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a uuid in PostgreSQL's text form; ids that are not can name no row, so they are refused before SQL. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The nil uuid: no row's id (ids are random v4), so a condition on it matches nothing. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** `id`, or the nil uuid when it is malformed: a filter on a malformed id matches nothing rather than failing the cast. */
export function uuidOrNothing(id: string): string {
  return isUuid(id) ? id : NIL_UUID;
}
