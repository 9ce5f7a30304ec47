import { MeDocument } from '../../operations/generated.js';
import { AdminConsole } from './admin-console.js';
import { Api } from './api.js';
import { render } from './dom.js';
import {
  authConfig,
  type AuthConfig,
  issuerAccessToken,
  issuerSignInButton,
  issuerSignOut,
  keepFresh,
  signedInThroughIssuer,
} from './issuer-sign-in.js';
import { MemberConsole } from './member-console.js';
import { ConsoleShell } from './shell.js';
import { signInView, storedToken } from './sign-in.js';

const shell = new ConsoleShell();
const showError = (error: unknown): void => shell.showError(error);

/**
 * Checks the token with `me`; a refused one (UNAUTHENTICATED) is shown and the form comes back. A
 * token from the identity provider is renewed before it expires, for requests and the socket.
 */
async function signIn(token: string, config: AuthConfig | undefined): Promise<void> {
  shell.clearError();
  const api = new Api(token);
  const issuer = config && signedInThroughIssuer() ? config : undefined;
  try {
    const { me } = await api.request(MeDocument, {});
    storedToken.set(token);
    shell.issuer = issuer && { host: new URL(issuer.issuer).host, signOut: () => void issuerSignOut(issuer) };
    const screen = me.role === 'ADMIN' ? new AdminConsole(api, me, shell) : new MemberConsole(api, me, shell);
    screen.start();
    if (issuer) {
      const renewed = (fresh: string): void => {
        api.token = fresh;
        storedToken.set(fresh);
        if (screen instanceof AdminConsole) screen.startEvents();
      };
      keepFresh(issuer, renewed, showError);
    }
  } catch (error) {
    storedToken.clear();
    showError(error);
    showSignIn(config);
  }
}

function showSignIn(config: AuthConfig | undefined): void {
  shell.clearViewer();
  render(
    shell.app,
    signInView((token) => void signIn(token, config), config && issuerSignInButton(config, showError)),
  );
}

/** Finishes a return from the identity provider if this is one, then signs in with what the tab has. */
async function boot(): Promise<void> {
  const config = await authConfig();
  let token = storedToken.get();
  if (config) {
    try {
      token = (await issuerAccessToken(config)) ?? token;
    } catch (error) {
      showError(error);
    }
  }
  if (token) await signIn(token, config);
  else showSignIn(config);
}

void boot();
