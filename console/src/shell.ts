import type { MeQuery } from '../../operations/generated.js';
import { asApiError } from './api.js';
import { h, render } from './dom.js';
import { errorSentence } from './labels.js';
import { storedToken } from './sign-in.js';

/** The page around a signed-in screen: who is signed in, the alert box and the status line. */
export class ConsoleShell {
  readonly app = document.getElementById('app')!;
  readonly statusLine = h('p', { id: 'status', role: 'status' });
  private readonly errorBox = document.getElementById('error')!;
  private readonly viewer = document.getElementById('viewer')!;
  /** Set when this tab signed in through the identity provider: its host, and signing out there. */
  issuer: { host: string; signOut: () => void } | undefined;

  /** Shows a failure as a sentence (the code in small print, for support) until dismissed or replaced. */
  showError(error: unknown): void {
    const { code } = asApiError(error);
    render(
      this.errorBox,
      h(
        'p',
        {},
        `${errorSentence(code)} `,
        h('small', {}, `(${code})`),
        ' ',
        h('button', { type: 'button', id: 'dismiss-error', onclick: () => render(this.errorBox) }, 'Dismiss'),
      ),
    );
  }

  clearError(): void {
    render(this.errorBox);
  }

  /** Runs a mutation: its result sentence goes to the status line, its failure to the alert box. */
  async run(action: () => Promise<string>): Promise<void> {
    this.clearError();
    try {
      render(this.statusLine, await action());
    } catch (error) {
      this.showError(error);
    }
  }

  /** "Signed in as …" with a sign-out button; `stop` ends what the screen keeps open. */
  showViewer(me: MeQuery['me'], stop: () => void): void {
    const role = me.role === 'ADMIN' ? 'admin' : 'member';
    const issuer = this.issuer;
    render(
      this.viewer,
      `Signed in as ${me.name} (${role}) `,
      issuer ? `through ${issuer.host} ` : '',
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: () => {
            stop();
            storedToken.clear();
            if (issuer) issuer.signOut();
            else location.reload();
          },
        },
        'Sign out',
      ),
    );
  }

  clearViewer(): void {
    render(this.viewer);
  }
}
