import { h } from './dom.js';

const TOKEN_KEY = 'crm-archive-console-token';

/** The token of this tab's session: sessionStorage, so it ends with the tab and is not shared with others. */
export const storedToken = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

interface DemoUser {
  workspace: string;
  name: string;
  email: string;
  role: string;
  token: string;
}

/** Accepts a token as `npm run token` prints it or as an Authorization header value. */
function bareToken(text: string): string {
  return text.trim().replace(/^Bearer\s+/i, '');
}

/**
 * The sign-in form (paste a token), the identity provider's button when the server has one, and,
 * on a development server, a list of demo users to pick.
 */
export function signInView(onToken: (token: string) => void, issuerButton?: HTMLElement): HTMLElement {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h(
    'form',
    {
      id: 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        onToken(bareToken(input.value));
      },
    },
    h('label', { for: 'token' }, 'Token (from npm run token -- <email>) '),
    input,
    ' ',
    h('button', { type: 'submit' }, 'Sign in'),
  );
  const demo = h('div', { id: 'demo-users' });
  void listDemoUsers(demo, onToken);
  return h(
    'section',
    { 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    issuerButton,
    form,
    demo,
  );
}

/** Fills `container` with a button per demo user; the endpoint answers 404 outside development. */
async function listDemoUsers(container: HTMLElement, onToken: (token: string) => void): Promise<void> {
  const response = await fetch('/console/demo-users').catch(() => undefined);
  if (!response?.ok) return;
  const users = (await response.json()) as DemoUser[];
  if (users.length === 0) return;
  container.append(
    h('h3', {}, 'Or pick a demo user (development only)'),
    h(
      'ul',
      {},
      users.map((user) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', onclick: () => onToken(user.token) },
            `${user.name} (${user.role.toLowerCase()}, ${user.workspace})`,
          ),
        ),
      ),
    ),
  );
}
