/** Where progress goes: stderr, so stdout keeps only the command's result. */
interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;

/**
 * A progress reporter for `onProgress(done, total)` callbacks. On a terminal one line is redrawn in
 * place; elsewhere (logs, CI) a line is written at each tenth, so a log is not flooded.
 */
export function progressBar(
  label: string,
  stream: ProgressStream = process.stderr,
): (done: number, total: number) => void {
  const started = Date.now();
  let lastTenth = -1;
  return (done, total) => {
    const fraction = total === 0 ? 1 : done / total;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const figures = `${Math.floor(fraction * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${label} ${seconds}s`;
    if (stream.isTTY) {
      const filled = Math.round(fraction * BAR_WIDTH);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${figures}${done === total ? '\n' : ''}`,
      );
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${figures}\n`);
    }
  };
}
