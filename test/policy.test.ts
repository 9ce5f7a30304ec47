import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../src/errors';
import { Role, UserRow } from '../src/domain/domain-types';
import {
  decide,
  Decision,
  deletionAudienceRole,
  notificationRecipient,
  Operation,
  requireAdmin,
  requireMayAttempt,
  Target,
  visibleArchivedCreator,
} from '../src/domain/policy';

// Who may do what, one row per case: operation × role × ownership × workspace, and what the API
// answers today. ALLOWED: it happens. FORBIDDEN: refused with extensions.code FORBIDDEN. NOT_FOUND:
// as if it did not exist (NOT_FOUND, a null answer, or left out of a list or an event stream).
// Ownership is the object's creator, or for a notification its recipient; for deletions and
// settings nobody owns anything, so both columns must agree. Workspace-wide operations (activate,
// overview, history, settings, events) act on the caller's workspace; OTHER stands for another
// workspace's deletion, data or events, which nobody ever reaches.

const { ALLOWED, FORBIDDEN, NOT_FOUND } = Decision;
const { ADMIN, MEMBER } = Role;
const OWN = 'own';
const OTHERS = "another's";
const SAME = 'same';
const OTHER = 'other';

type Ownership = typeof OWN | typeof OTHERS;
type Workspace = typeof SAME | typeof OTHER;

/** What each row's label does, and whether its target is archived (visibility depends on it). */
const OPERATIONS: Record<string, { operation: Operation; archived: boolean }> = {
  archive: { operation: Operation.ARCHIVE, archived: false },
  restore: { operation: Operation.RESTORE, archived: true },
  'set task status': { operation: Operation.SET_TASK_STATUS, archived: false },
  'view archived object': { operation: Operation.VIEW_OBJECT, archived: true },
  'view active object': { operation: Operation.VIEW_OBJECT, archived: false },
  'download attachment, archived object': { operation: Operation.DOWNLOAD_ATTACHMENT, archived: true },
  'download attachment, active object': { operation: Operation.DOWNLOAD_ATTACHMENT, archived: false },
  'upload attachment': { operation: Operation.UPLOAD_ATTACHMENT, archived: false },
  mark: { operation: Operation.MARK, archived: true },
  unmark: { operation: Operation.UNMARK, archived: true },
  activate: { operation: Operation.ACTIVATE, archived: false },
  cancel: { operation: Operation.CANCEL, archived: false },
  'view overview': { operation: Operation.VIEW_OVERVIEW, archived: false },
  'view history': { operation: Operation.VIEW_HISTORY, archived: false },
  'view deletion': { operation: Operation.VIEW_DELETION, archived: false },
  'view deletion objects': { operation: Operation.VIEW_DELETION_OBJECTS, archived: false },
  'receive deletion events': { operation: Operation.RECEIVE_DELETION_EVENTS, archived: false },
  export: { operation: Operation.EXPORT, archived: false },
  'read deletion settings': { operation: Operation.READ_SETTINGS, archived: false },
  'update deletion settings': { operation: Operation.UPDATE_SETTINGS, archived: false },
  'mark notifications read': { operation: Operation.MARK_NOTIFICATIONS_READ, archived: false },
  'place legal hold': { operation: Operation.PLACE_LEGAL_HOLD, archived: false },
  'release legal hold': { operation: Operation.RELEASE_LEGAL_HOLD, archived: false },
  'view legal holds': { operation: Operation.VIEW_LEGAL_HOLDS, archived: false },
  'view provisioning changes': { operation: Operation.VIEW_PROVISIONING_CHANGES, archived: false },
};

const TABLE: [keyof typeof OPERATIONS, Role, Ownership, Workspace, Decision][] = [
  ['archive', ADMIN, OWN, SAME, ALLOWED],
  ['archive', ADMIN, OWN, OTHER, NOT_FOUND],
  ['archive', ADMIN, OTHERS, SAME, ALLOWED],
  ['archive', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['archive', MEMBER, OWN, SAME, ALLOWED],
  ['archive', MEMBER, OWN, OTHER, NOT_FOUND],
  ['archive', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['archive', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['restore', ADMIN, OWN, SAME, ALLOWED],
  ['restore', ADMIN, OWN, OTHER, NOT_FOUND],
  ['restore', ADMIN, OTHERS, SAME, ALLOWED],
  ['restore', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['restore', MEMBER, OWN, SAME, ALLOWED],
  ['restore', MEMBER, OWN, OTHER, NOT_FOUND],
  ['restore', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['restore', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['set task status', ADMIN, OWN, SAME, ALLOWED],
  ['set task status', ADMIN, OWN, OTHER, NOT_FOUND],
  ['set task status', ADMIN, OTHERS, SAME, ALLOWED],
  ['set task status', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['set task status', MEMBER, OWN, SAME, ALLOWED],
  ['set task status', MEMBER, OWN, OTHER, NOT_FOUND],
  ['set task status', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['set task status', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['view archived object', ADMIN, OWN, SAME, ALLOWED],
  ['view archived object', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view archived object', ADMIN, OTHERS, SAME, ALLOWED],
  ['view archived object', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view archived object', MEMBER, OWN, SAME, ALLOWED],
  ['view archived object', MEMBER, OWN, OTHER, NOT_FOUND],
  ['view archived object', MEMBER, OTHERS, SAME, NOT_FOUND],
  ['view archived object', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['view active object', ADMIN, OWN, SAME, ALLOWED],
  ['view active object', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view active object', ADMIN, OTHERS, SAME, ALLOWED],
  ['view active object', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view active object', MEMBER, OWN, SAME, ALLOWED],
  ['view active object', MEMBER, OWN, OTHER, NOT_FOUND],
  ['view active object', MEMBER, OTHERS, SAME, ALLOWED],
  ['view active object', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['download attachment, archived object', ADMIN, OWN, SAME, ALLOWED],
  ['download attachment, archived object', ADMIN, OWN, OTHER, NOT_FOUND],
  ['download attachment, archived object', ADMIN, OTHERS, SAME, ALLOWED],
  ['download attachment, archived object', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['download attachment, archived object', MEMBER, OWN, SAME, ALLOWED],
  ['download attachment, archived object', MEMBER, OWN, OTHER, NOT_FOUND],
  ['download attachment, archived object', MEMBER, OTHERS, SAME, NOT_FOUND],
  ['download attachment, archived object', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['download attachment, active object', ADMIN, OWN, SAME, ALLOWED],
  ['download attachment, active object', ADMIN, OWN, OTHER, NOT_FOUND],
  ['download attachment, active object', ADMIN, OTHERS, SAME, ALLOWED],
  ['download attachment, active object', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['download attachment, active object', MEMBER, OWN, SAME, ALLOWED],
  ['download attachment, active object', MEMBER, OWN, OTHER, NOT_FOUND],
  ['download attachment, active object', MEMBER, OTHERS, SAME, ALLOWED],
  ['download attachment, active object', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['upload attachment', ADMIN, OWN, SAME, ALLOWED],
  ['upload attachment', ADMIN, OWN, OTHER, NOT_FOUND],
  ['upload attachment', ADMIN, OTHERS, SAME, ALLOWED],
  ['upload attachment', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['upload attachment', MEMBER, OWN, SAME, ALLOWED],
  ['upload attachment', MEMBER, OWN, OTHER, NOT_FOUND],
  ['upload attachment', MEMBER, OTHERS, SAME, ALLOWED],
  ['upload attachment', MEMBER, OTHERS, OTHER, NOT_FOUND],

  ['mark', ADMIN, OWN, SAME, ALLOWED],
  ['mark', ADMIN, OWN, OTHER, NOT_FOUND],
  ['mark', ADMIN, OTHERS, SAME, ALLOWED],
  ['mark', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['mark', MEMBER, OWN, SAME, FORBIDDEN],
  ['mark', MEMBER, OWN, OTHER, FORBIDDEN],
  ['mark', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['mark', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['unmark', ADMIN, OWN, SAME, ALLOWED],
  ['unmark', ADMIN, OWN, OTHER, NOT_FOUND],
  ['unmark', ADMIN, OTHERS, SAME, ALLOWED],
  ['unmark', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['unmark', MEMBER, OWN, SAME, FORBIDDEN],
  ['unmark', MEMBER, OWN, OTHER, FORBIDDEN],
  ['unmark', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['unmark', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['activate', ADMIN, OWN, SAME, ALLOWED],
  ['activate', ADMIN, OWN, OTHER, NOT_FOUND],
  ['activate', ADMIN, OTHERS, SAME, ALLOWED],
  ['activate', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['activate', MEMBER, OWN, SAME, FORBIDDEN],
  ['activate', MEMBER, OWN, OTHER, FORBIDDEN],
  ['activate', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['activate', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['cancel', ADMIN, OWN, SAME, ALLOWED],
  ['cancel', ADMIN, OWN, OTHER, NOT_FOUND],
  ['cancel', ADMIN, OTHERS, SAME, ALLOWED],
  ['cancel', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['cancel', MEMBER, OWN, SAME, FORBIDDEN],
  ['cancel', MEMBER, OWN, OTHER, FORBIDDEN],
  ['cancel', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['cancel', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['view overview', ADMIN, OWN, SAME, ALLOWED],
  ['view overview', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view overview', ADMIN, OTHERS, SAME, ALLOWED],
  ['view overview', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view overview', MEMBER, OWN, SAME, FORBIDDEN],
  ['view overview', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view overview', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view overview', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['view history', ADMIN, OWN, SAME, ALLOWED],
  ['view history', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view history', ADMIN, OTHERS, SAME, ALLOWED],
  ['view history', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view history', MEMBER, OWN, SAME, FORBIDDEN],
  ['view history', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view history', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view history', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['view deletion', ADMIN, OWN, SAME, ALLOWED],
  ['view deletion', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view deletion', ADMIN, OTHERS, SAME, ALLOWED],
  ['view deletion', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view deletion', MEMBER, OWN, SAME, FORBIDDEN],
  ['view deletion', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view deletion', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view deletion', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['view deletion objects', ADMIN, OWN, SAME, ALLOWED],
  ['view deletion objects', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view deletion objects', ADMIN, OTHERS, SAME, ALLOWED],
  ['view deletion objects', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view deletion objects', MEMBER, OWN, SAME, FORBIDDEN],
  ['view deletion objects', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view deletion objects', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view deletion objects', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['receive deletion events', ADMIN, OWN, SAME, ALLOWED],
  ['receive deletion events', ADMIN, OWN, OTHER, NOT_FOUND],
  ['receive deletion events', ADMIN, OTHERS, SAME, ALLOWED],
  ['receive deletion events', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['receive deletion events', MEMBER, OWN, SAME, FORBIDDEN],
  ['receive deletion events', MEMBER, OWN, OTHER, FORBIDDEN],
  ['receive deletion events', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['receive deletion events', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['export', ADMIN, OWN, SAME, ALLOWED],
  ['export', ADMIN, OWN, OTHER, NOT_FOUND],
  ['export', ADMIN, OTHERS, SAME, ALLOWED],
  ['export', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['export', MEMBER, OWN, SAME, FORBIDDEN],
  ['export', MEMBER, OWN, OTHER, FORBIDDEN],
  ['export', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['export', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['read deletion settings', ADMIN, OWN, SAME, ALLOWED],
  ['read deletion settings', ADMIN, OWN, OTHER, NOT_FOUND],
  ['read deletion settings', ADMIN, OTHERS, SAME, ALLOWED],
  ['read deletion settings', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['read deletion settings', MEMBER, OWN, SAME, FORBIDDEN],
  ['read deletion settings', MEMBER, OWN, OTHER, FORBIDDEN],
  ['read deletion settings', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['read deletion settings', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['update deletion settings', ADMIN, OWN, SAME, ALLOWED],
  ['update deletion settings', ADMIN, OWN, OTHER, NOT_FOUND],
  ['update deletion settings', ADMIN, OTHERS, SAME, ALLOWED],
  ['update deletion settings', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['update deletion settings', MEMBER, OWN, SAME, FORBIDDEN],
  ['update deletion settings', MEMBER, OWN, OTHER, FORBIDDEN],
  ['update deletion settings', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['update deletion settings', MEMBER, OTHERS, OTHER, FORBIDDEN],
  ['place legal hold', ADMIN, OWN, SAME, ALLOWED],
  ['place legal hold', ADMIN, OWN, OTHER, NOT_FOUND],
  ['place legal hold', ADMIN, OTHERS, SAME, ALLOWED],
  ['place legal hold', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['place legal hold', MEMBER, OWN, SAME, FORBIDDEN],
  ['place legal hold', MEMBER, OWN, OTHER, FORBIDDEN],
  ['place legal hold', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['place legal hold', MEMBER, OTHERS, OTHER, FORBIDDEN],
  ['release legal hold', ADMIN, OWN, SAME, ALLOWED],
  ['release legal hold', ADMIN, OWN, OTHER, NOT_FOUND],
  ['release legal hold', ADMIN, OTHERS, SAME, ALLOWED],
  ['release legal hold', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['release legal hold', MEMBER, OWN, SAME, FORBIDDEN],
  ['release legal hold', MEMBER, OWN, OTHER, FORBIDDEN],
  ['release legal hold', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['release legal hold', MEMBER, OTHERS, OTHER, FORBIDDEN],
  ['view legal holds', ADMIN, OWN, SAME, ALLOWED],
  ['view legal holds', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view legal holds', ADMIN, OTHERS, SAME, ALLOWED],
  ['view legal holds', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view legal holds', MEMBER, OWN, SAME, FORBIDDEN],
  ['view legal holds', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view legal holds', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view legal holds', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['view provisioning changes', ADMIN, OWN, SAME, ALLOWED],
  ['view provisioning changes', ADMIN, OWN, OTHER, NOT_FOUND],
  ['view provisioning changes', ADMIN, OTHERS, SAME, ALLOWED],
  ['view provisioning changes', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['view provisioning changes', MEMBER, OWN, SAME, FORBIDDEN],
  ['view provisioning changes', MEMBER, OWN, OTHER, FORBIDDEN],
  ['view provisioning changes', MEMBER, OTHERS, SAME, FORBIDDEN],
  ['view provisioning changes', MEMBER, OTHERS, OTHER, FORBIDDEN],

  ['mark notifications read', ADMIN, OWN, SAME, ALLOWED],
  ['mark notifications read', ADMIN, OWN, OTHER, NOT_FOUND],
  ['mark notifications read', ADMIN, OTHERS, SAME, NOT_FOUND],
  ['mark notifications read', ADMIN, OTHERS, OTHER, NOT_FOUND],
  ['mark notifications read', MEMBER, OWN, SAME, ALLOWED],
  ['mark notifications read', MEMBER, OWN, OTHER, NOT_FOUND],
  ['mark notifications read', MEMBER, OTHERS, SAME, NOT_FOUND],
  ['mark notifications read', MEMBER, OTHERS, OTHER, NOT_FOUND],
];

const viewers: Record<Role, UserRow> = {
  [ADMIN]: { id: 'admin-1', workspaceId: 'workspace-1', name: 'Ada', email: 'ada@one.test', role: ADMIN },
  [MEMBER]: { id: 'member-1', workspaceId: 'workspace-1', name: 'Max', email: 'max@one.test', role: MEMBER },
};

/** The thing a row acts on, as the services hand it to the policy. */
function targetOf(viewer: UserRow, ownership: Ownership, workspace: Workspace, archived: boolean): Target {
  return {
    workspaceId: workspace === SAME ? viewer.workspaceId : 'workspace-2',
    ownerId: ownership === OWN ? viewer.id : 'someone-else',
    archived,
  };
}

describe('who may do what', () => {
  it.each(TABLE)('%s: %s, %s, %s workspace → %s', (label, role, ownership, workspace, expected) => {
    const { operation, archived } = OPERATIONS[label];
    const viewer = viewers[role];
    expect(decide(viewer, operation, targetOf(viewer, ownership, workspace, archived))).toBe(expected);
  });

  it('lists every operation, each with every role, ownership and workspace', () => {
    const covered = new Set(Object.values(OPERATIONS).map(({ operation }) => operation));
    expect([...covered].sort()).toEqual(Object.values(Operation).sort());
    for (const label of Object.keys(OPERATIONS)) {
      expect(TABLE.filter((row) => row[0] === label)).toHaveLength(8);
    }
  });
});

describe('refusals and filters the policy hands out', () => {
  it('refuses a member an admin operation with the messages the API has always sent', () => {
    expect(() => requireMayAttempt(viewers[MEMBER], Operation.ACTIVATE)).toThrow(
      expect.objectContaining({ code: ErrorCode.FORBIDDEN, message: 'Only admins may do this.' }),
    );
    expect(() => requireAdmin(viewers[MEMBER], 'activate a deletion')).toThrow(
      expect.objectContaining({ code: ErrorCode.FORBIDDEN, message: 'Only admins may activate a deletion.' }),
    );
    expect(() => requireMayAttempt(viewers[ADMIN], Operation.ACTIVATE)).not.toThrow();
    expect(() => requireMayAttempt(viewers[MEMBER], Operation.ARCHIVE)).not.toThrow();
  });

  it('gives the SQL filters their parameters: the creator of visible archived objects, the recipient, the audience', () => {
    expect(visibleArchivedCreator(viewers[ADMIN])).toBeNull();
    expect(visibleArchivedCreator(viewers[MEMBER])).toBe('member-1');
    expect(notificationRecipient(viewers[ADMIN])).toBe('admin-1');
    expect(deletionAudienceRole()).toBe(ADMIN);
  });
});

// The policy is the one place that compares roles or owners: these would be such comparisons elsewhere.
const COMPARISONS = [
  /\.role\s*[!=]==/,
  /[!=]==\s*[\w.?]*\.role\b/,
  /roles?\.includes\(/,
  /Role\.(ADMIN|MEMBER)/,
  /created(By|ById)\s*[!=]==/,
  /[!=]==\s*[\w.?]*\.created(By|ById)\b/,
];
// Where roles are declared or demo data is written, not compared.
const EXEMPT = ['domain/policy.ts', 'domain/domain-types.ts', 'demo/', 'cli/', 'graphql/types/'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

it('no other module compares roles or owners', () => {
  const src = path.join(__dirname, '../src');
  const found = sourceFiles(src).flatMap((file) => {
    const relative = path.relative(src, file).split(path.sep).join('/');
    if (EXEMPT.some((exempt) => relative.startsWith(exempt))) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, n) => (COMPARISONS.some((re) => re.test(line)) ? [`${relative}:${n + 1}: ${line.trim()}`] : []));
  });
  expect(found).toEqual([]);
});
