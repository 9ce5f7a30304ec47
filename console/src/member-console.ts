import type { MeQuery } from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render, section } from './dom.js';
import { RecycleBin } from './recycle-bin.js';
import type { ConsoleShell } from './shell.js';

const PAGE_SIZE = 20;

/**
 * A member's screen: their own archived objects and Restore. It sends no admin query and opens no
 * event socket (deletionEvents is for admins), so nothing on it can answer FORBIDDEN.
 */
export class MemberConsole {
  private readonly bin: RecycleBin;

  constructor(
    api: Api,
    private readonly me: MeQuery['me'],
    private readonly shell: ConsoleShell,
  ) {
    const mutate = (action: () => Promise<string>) => void shell.run(action).then(() => this.bin.load());
    this.bin = new RecycleBin(api, { isAdmin: false, me, mutate }, PAGE_SIZE);
  }

  start(): void {
    this.shell.showViewer(this.me, () => undefined);
    render(
      this.shell.app,
      this.shell.statusLine,
      section(
        'archived',
        'Your archived objects',
        h(
          'p',
          {},
          'What you archived stays here until you restore it or an admin deletes it permanently. ' +
            'Restore brings an object back into the CRM.',
        ),
        this.bin.box,
      ),
    );
    void this.bin.load();
  }
}
