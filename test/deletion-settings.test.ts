import {
  DeletionSettingsDocument,
  NotificationsDocument,
  UpdateDeletionSettingsDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

/**
 * Retention policy and reminder: the per-workspace settings. Any admin reads them, admins
 * change them; a field left out stays, null turns it off; every change is recorded (who, when,
 * old → new) and announced to every admin; a refusal changes nothing.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterAll(() => server?.close());

const settings = async (user: TestUser) =>
  (await mustRequest(server.url, DeletionSettingsDocument, { changes: 50 }, user.token)).deletionSettings;
const update = (user: TestUser, input: { autoMarkAfterDays?: number | null; reminderHoursBefore?: number | null }) =>
  request(server.url, UpdateDeletionSettingsDocument, { input }, user.token);

async function notificationsOf(user: TestUser) {
  const data = await mustRequest(server.url, NotificationsDocument, { first: 50 }, user.token);
  return data.notifications.edges.map((e) => ({ kind: e.node.kind, deletion: e.node.deletion }));
}

/** Everything a settings change may write, for the workspace: compared before and after a refusal. */
async function settingsState(ws: TestWorkspace) {
  const db = server.database.db;
  const query = (sql: string) => db.rows(sql, [ws.id]);
  return {
    settings: await query('SELECT * FROM deletion_settings WHERE workspace_id = $1'),
    changes: await query('SELECT * FROM deletion_settings_changes WHERE workspace_id = $1 ORDER BY id'),
    notifications: await query('SELECT * FROM notifications WHERE workspace_id = $1 ORDER BY id'),
  };
}

describe('deletion settings', () => {
  it('are the defaults until changed: no auto-mark, a reminder 24 hours before, never updated', async () => {
    const ws = await createWorkspace(server.database.db, 2, 1);
    for (const admin of ws.admins) {
      expect(await settings(admin)).toEqual({
        autoMarkAfterDays: null,
        reminderHoursBefore: 24,
        updatedAt: null,
        updatedBy: null,
        changes: [],
      });
    }
  });

  it('change only the fields given, turn off on null, and record and announce each change', async () => {
    const ws = await createWorkspace(server.database.db, 2, 1);
    const [admin, admin2] = ws.admins;

    const first = await update(admin, { autoMarkAfterDays: 30 });
    expect(first.errors).toBeUndefined();
    expect(first.data!.updateDeletionSettings).toMatchObject({
      autoMarkAfterDays: 30,
      reminderHoursBefore: 24,
      updatedBy: { id: admin.id },
    });
    const second = await update(admin2, { reminderHoursBefore: null });
    expect(second.data!.updateDeletionSettings).toMatchObject({
      autoMarkAfterDays: 30,
      reminderHoursBefore: null,
      updatedBy: { id: admin2.id },
    });
    // The same values again: nothing to record, nobody to tell.
    const same = await update(admin, { autoMarkAfterDays: 30, reminderHoursBefore: null });
    expect(same.data!.updateDeletionSettings.updatedBy).toEqual({ id: admin2.id, name: expect.any(String) });
    await update(admin, { reminderHoursBefore: 167 });

    const read = await settings(admin2);
    expect(read).toMatchObject({ autoMarkAfterDays: 30, reminderHoursBefore: 167, updatedBy: { id: admin.id } });
    expect(Date.parse(read.updatedAt!)).toBeGreaterThanOrEqual(Date.parse(read.changes[1].changedAt));
    expect(read.changes.map(({ id: _id, changedAt: _at, ...change }) => change)).toEqual([
      { changedBy: expect.objectContaining({ id: admin.id }) as unknown, ...values(30, 30, null, 167) },
      { changedBy: expect.objectContaining({ id: admin2.id }) as unknown, ...values(30, 30, 24, null) },
      { changedBy: expect.objectContaining({ id: admin.id }) as unknown, ...values(null, 30, 24, 24) },
    ]);
    // Every admin is told of each of the three changes; members are not.
    for (const user of ws.admins) {
      expect(await notificationsOf(user)).toEqual(Array(3).fill({ kind: 'DELETION_SETTINGS_CHANGED', deletion: null }));
    }
    expect(await notificationsOf(ws.members[0])).toEqual([]);
  });

  it.each([
    [{ autoMarkAfterDays: 0 }, 'autoMarkAfterDays must be from 1 to 3650'],
    [{ autoMarkAfterDays: 3651 }, 'autoMarkAfterDays must be from 1 to 3650'],
    [{ autoMarkAfterDays: -5 }, 'autoMarkAfterDays must be from 1 to 3650'],
    [{ reminderHoursBefore: 0 }, 'reminderHoursBefore must be from 1 to 167'],
    [{ reminderHoursBefore: 168 }, 'reminderHoursBefore must be from 1 to 167'],
    [{ autoMarkAfterDays: 10, reminderHoursBefore: 200 }, 'reminderHoursBefore must be from 1 to 167'],
  ])('refuse %j with BAD_USER_INPUT and change nothing', async (input, message) => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    await update(ws.admins[0], { autoMarkAfterDays: 90 });
    const before = await settingsState(ws);
    const response = await update(ws.admins[0], input);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0].message).toContain(message);
    expect(response.errors![0].message).toContain('Nothing was changed.');
    expect(await settingsState(ws)).toEqual(before);
  });

  it('refuse members (FORBIDDEN) and anonymous callers (UNAUTHENTICATED), changing nothing', async () => {
    const ws = await createWorkspace(server.database.db, 1, 1);
    await update(ws.admins[0], { autoMarkAfterDays: 90 });
    const before = await settingsState(ws);
    const member = ws.members[0];
    expect(errorCode(await request(server.url, DeletionSettingsDocument, {}, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await update(member, { autoMarkAfterDays: 1 }))).toBe('FORBIDDEN');
    expect(errorCode(await request(server.url, DeletionSettingsDocument, {}))).toBe('UNAUTHENTICATED');
    expect(errorCode(await request(server.url, UpdateDeletionSettingsDocument, { input: {} }))).toBe('UNAUTHENTICATED');
    expect(await settingsState(ws)).toEqual(before);
  });

  it('record true old values when two admins change them at the same instant', async () => {
    const ws = await createWorkspace(server.database.db, 2, 0);
    const [admin, admin2] = ws.admins;
    const answers = await Promise.all([
      update(admin, { autoMarkAfterDays: 10 }),
      update(admin2, { autoMarkAfterDays: 20 }),
    ]);
    expect(answers.map((answer) => answer.errors)).toEqual([undefined, undefined]);
    const { autoMarkAfterDays, changes } = await settings(admin);
    // The later change's old value is the earlier one's new value: the two waited for each other.
    const [later, earlier] = changes;
    expect(earlier.oldAutoMarkAfterDays).toBeNull();
    expect(later.oldAutoMarkAfterDays).toBe(earlier.newAutoMarkAfterDays);
    expect(autoMarkAfterDays).toBe(later.newAutoMarkAfterDays);
  });

  it('belong to one workspace: another workspace neither sees nor hears of them', async () => {
    const a = await createWorkspace(server.database.db, 1, 0);
    const b = await createWorkspace(server.database.db, 1, 0);
    await update(a.admins[0], { autoMarkAfterDays: 7, reminderHoursBefore: 48 });
    expect(await settings(b.admins[0])).toMatchObject({ autoMarkAfterDays: null, reminderHoursBefore: 24 });
    expect(await notificationsOf(b.admins[0])).toEqual([]);
    await update(b.admins[0], { reminderHoursBefore: 2 });
    expect(await settings(a.admins[0])).toMatchObject({ autoMarkAfterDays: 7, reminderHoursBefore: 48 });
    expect((await settings(a.admins[0])).changes).toHaveLength(1);
  });
});

function values(oldDays: number | null, newDays: number | null, oldHours: number | null, newHours: number | null) {
  return {
    oldAutoMarkAfterDays: oldDays,
    newAutoMarkAfterDays: newDays,
    oldReminderHoursBefore: oldHours,
    newReminderHoursBefore: newHours,
  };
}
