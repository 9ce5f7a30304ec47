/** A tiny element builder: the console's only "framework". */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Creates `<tag>` with attributes (`on…` keys become listeners, `false`/undefined are left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child) element.append(child);
  return element;
}

/**
 * Replaces `container`'s content. A re-render replaces the focused button too, so focus is given
 * back to the element with the same id: a keyboard user stays where they were.
 */
export function render(container: HTMLElement, ...children: (Child | Child[])[]): void {
  const focusedId = container.contains(document.activeElement) ? document.activeElement?.id : undefined;
  container.replaceChildren(...(children.flat().filter(Boolean) as (Node | string)[]));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/** A `<section>` with a heading that labels it for screen readers. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}
