import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/**
 * A ZIP written as a stream, one entry at a time (yazl underneath). Each `add` resolves only once
 * the ZIP has consumed the whole entry, and yazl reads an entry only as fast as `output` is read,
 * so at most one entry is open and a few chunks of it are in memory, however large the ZIP.
 * Aborting `signal` (the client went away) destroys the entry being read, which fails its `add`.
 */
export class ZipWriter {
  private readonly zip = new ZipFile();
  private current: Readable | null = null;
  /** The ZIP's bytes; pipe them to the client. */
  readonly output: Readable;

  constructor(private readonly signal: AbortSignal) {
    this.output = this.zip.outputStream as Readable;
    // yazl reports a failed entry (destroyed, or not of its announced size) here: fail the output too.
    this.zip.on('error', (error: Error) => this.output.destroy(error));
    signal.addEventListener('abort', () => this.current?.destroy(signal.reason as Error), { once: true });
  }

  /** Adds the entry `name` read from `body`; `size`, when known, is checked against what was read. */
  async add(name: string, body: Readable, { compress, size }: { compress: boolean; size?: number }): Promise<void> {
    this.signal.throwIfAborted();
    this.current = body;
    this.zip.addReadStream(body, name, size === undefined ? { compress } : { compress, size });
    try {
      await finished(body);
    } finally {
      this.current = null;
    }
  }

  /** Adds a small entry held in memory (the manifest). */
  addBuffer(name: string, body: Buffer): void {
    this.signal.throwIfAborted();
    this.zip.addBuffer(body, name);
  }

  /** Writes the central directory: `output` ends once it has been read. */
  end(): void {
    this.zip.end();
  }
}
