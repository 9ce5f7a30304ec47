import { h } from './dom.js';

/** What a confirmation asks: a title, the facts, and the verb of the confirming button. */
export interface Confirmation {
  title: string;
  body: (Node | string)[];
  confirmLabel: string;
}

/**
 * Asks in a modal `<dialog>` (focus moves into it, Escape cancels, focus returns to where it was)
 * and resolves true only when the confirming button is pressed. Focus starts on "Keep as is": an
 * Enter pressed by habit must not delete anything.
 */
export function confirmDialog({ title, body, confirmLabel }: Confirmation): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  return new Promise((resolve) => {
    const dialog = h('dialog', {
      id: 'confirm',
      'aria-labelledby': 'confirm-title',
      'aria-describedby': 'confirm-body',
    });
    const close = (confirmed: boolean) => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(confirmed);
    };
    const keep = h('button', { type: 'button', id: 'confirm-no', onclick: () => close(false) }, 'Keep as is');
    dialog.append(
      h('h2', { id: 'confirm-title' }, title),
      h('div', { id: 'confirm-body' }, ...body),
      h(
        'p',
        { class: 'dialog-buttons' },
        keep,
        ' ',
        h('button', { type: 'button', id: 'confirm-yes', class: 'danger', onclick: () => close(true) }, confirmLabel),
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}
