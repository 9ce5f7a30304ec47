import { MeDocument } from '../../operations/generated.js';
import { AdminConsole } from './admin-console.js';
import { Api } from './api.js';
import { render } from './dom.js';
import { MemberConsole } from './member-console.js';
import { ConsoleShell } from './shell.js';
import { signInView, storedToken } from './sign-in.js';

const shell = new ConsoleShell();

/** Checks the token with `me`; a refused one (UNAUTHENTICATED) is shown and the form comes back. */
async function signIn(token: string): Promise<void> {
  shell.clearError();
  const api = new Api(token);
  try {
    const { me } = await api.request(MeDocument, {});
    storedToken.set(token);
    if (me.role === 'ADMIN') new AdminConsole(api, me, shell).start();
    else new MemberConsole(api, me, shell).start();
  } catch (error) {
    storedToken.clear();
    shell.showError(error);
    showSignIn();
  }
}

function showSignIn(): void {
  shell.clearViewer();
  render(
    shell.app,
    signInView((token) => void signIn(token)),
  );
}

const token = storedToken.get();
if (token) void signIn(token);
else showSignIn();
