/** Stops the embedded PostgreSQL of this run, which also deletes its folder. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.embeddedPostgres?.stop();
}
