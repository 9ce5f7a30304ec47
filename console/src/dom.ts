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
  renderedFrom.delete(container);
  const focusedId = container.contains(document.activeElement) ? document.activeElement?.id : undefined;
  container.replaceChildren(...(children.flat().filter(Boolean) as (Node | string)[]));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/** What each container's content was last built from, for renderOnChange. */
const renderedFrom = new WeakMap<HTMLElement, string>();

/**
 * Renders what `build` returns unless `source` (the JSON of everything the content and its handlers
 * are built from) is the same as last time. Events reload views that often have not changed, and
 * replacing a button between the mousedown and the mouseup of a click swallows that click.
 */
export function renderOnChange(container: HTMLElement, source: unknown, build: () => Child | Child[]): void {
  const key = JSON.stringify([source]);
  if (renderedFrom.get(container) === key) return;
  render(container, build());
  renderedFrom.set(container, key);
}

/** A `<section>` with a heading that labels it for screen readers. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}
