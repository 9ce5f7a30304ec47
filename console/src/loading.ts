import { asApiError } from './api.js';
import { h } from './dom.js';
import { errorSentence } from './labels.js';

/** A section's own failure, in a sentence (the code in small print), shown in place of its content. */
export function errorText(error: unknown): HTMLElement {
  const { code } = asApiError(error);
  return h('p', { class: 'error' }, `${errorSentence(code)} `, h('small', {}, `(${code})`));
}

/**
 * Runs `load` and hands its result to `show` unless a newer call of the same loader started
 * meanwhile: events and clicks can overlap, and the last request must win, not the slowest.
 */
export function latestOnly<T>(load: () => Promise<T>, show: (result: T) => void, fail: (error: unknown) => void) {
  let generation = 0;
  return async (): Promise<void> => {
    const mine = ++generation;
    try {
      const result = await load();
      if (mine === generation) show(result);
    } catch (error) {
      if (mine === generation) fail(error);
    }
  };
}
