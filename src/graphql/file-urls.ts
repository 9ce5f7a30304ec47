// The paths of the file routes, relative to the server; GraphQL fields hand them to clients.

/** Where one attachment's bytes are downloaded (`Attachment.url`). */
export function attachmentUrl(id: string): string {
  return `/attachments/${id}`;
}

/** Where a pending deletion is exported as a ZIP (`Deletion.exportUrl`). */
export function deletionExportUrl(id: string): string {
  return `/deletions/${id}/export`;
}
