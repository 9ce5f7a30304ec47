import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users_changes`: every update or removal of a user row NOTIFYs its id on `crm_user_changes`
 * (delivered on commit only). Each instance caches the users its tokens name and LISTENs there,
 * so a demotion, a deactivation or a move to another workspace reaches every instance's cache
 * without a read per request (src/domain/identity/user-cache.ts). Inserts need no notice: nothing
 * is cached for a row that did not exist.
 */
export class UserChanges1765900000000 implements MigrationInterface {
  name = 'UserChanges1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('crm_user_changes', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_changes AFTER UPDATE OR DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION notify_user_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER users_changes ON users');
    await q.query('DROP FUNCTION notify_user_change()');
  }
}
