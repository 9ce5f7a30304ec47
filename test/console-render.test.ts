import type { Page } from 'playwright-core';
import { consoleSuite, withContexts } from './support/browser';

/**
 * The console's renderOnChange, in Chromium on the console's own modules: a reload that changes
 * nothing leaves the controls in place, so a click whose mousedown came before the reload and
 * whose mouseup came after still lands (replacing the button in between swallows it).
 */
const suite = consoleSuite();

type Renderer = 'render' | 'renderOnChange';

/** What the probe keeps on the page's global object (the test files compile without the DOM's types). */
type ProbeGlobal = { clicks?: number; probeBox?: object; document: { body: { appendChild(node: object): object } } };

/** Renders a probe button from `source` with the console's `renderer`; every click counts on `clicks`. */
function probe(page: Page, renderer: Renderer, source: unknown): Promise<void> {
  return page.evaluate(
    async ({ renderer, source }) => {
      const dom = await import('/console/app/console/src/dom.js' as string);
      const page = globalThis as unknown as ProbeGlobal;
      page.clicks ??= 0;
      page.probeBox ??= page.document.body.appendChild(dom.h('div', { id: 'probe-box' }));
      const build = () =>
        dom.h(
          'button',
          { type: 'button', id: 'probe', onclick: () => (page.clicks = (page.clicks ?? 0) + 1) },
          'Probe',
        );
      if (renderer === 'render') dom.render(page.probeBox, build());
      else dom.renderOnChange(page.probeBox, source, build);
    },
    { renderer, source },
  );
}

const clicks = (page: Page) => page.evaluate(() => (globalThis as unknown as ProbeGlobal).clicks);

/** Presses the mouse on the probe, re-renders it with `renderer` from `source`, releases; returns the clicks counted. */
async function clickAcrossRerender(page: Page, renderer: Renderer, source: unknown): Promise<number | undefined> {
  const box = (await page.locator('#probe').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await probe(page, renderer, source);
  await page.mouse.up();
  return clicks(page);
}

it('keeps the controls when what they are built from is unchanged, and rebuilds them when it changed', async () => {
  await withContexts(suite.browser, 1, async ([context]) => {
    const page = await context.newPage();
    await page.goto(new URL('/console', suite.server.url).href);
    await probe(page, 'renderOnChange', { holds: ['a'] });
    await page.locator('#probe').click();
    expect(await clicks(page)).toBe(1);

    // The same source: the button stays, and the split click lands.
    expect(await clickAcrossRerender(page, 'renderOnChange', { holds: ['a'] })).toBe(2);
    // Why it matters: replacing the button mid-click loses the click, with render or a changed source.
    expect(await clickAcrossRerender(page, 'render', undefined)).toBe(2);
    expect(await clickAcrossRerender(page, 'renderOnChange', { holds: ['a', 'b'] })).toBe(2);
    // render() forgets the source, so the next renderOnChange rebuilds even from a source seen before.
    await probe(page, 'render', undefined);
    const before = await page.locator('#probe').elementHandle();
    await probe(page, 'renderOnChange', { holds: ['a', 'b'] });
    expect(await before!.evaluate((button) => button.isConnected)).toBe(false);
  });
});
