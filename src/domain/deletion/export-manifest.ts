import { DeletionStatus } from './deletion-status';

/** One NDJSON file of the export: how many rows it holds and their bytes (attachment bytes). */
export interface ExportedVolume {
  file: string;
  count: number;
  bytes: number;
}

/** The objects of one type in the export. */
export interface TypeVolume extends ExportedVolume {
  type: string;
}

/** One attachment's bytes in the export, as read from the file store while they were zipped. */
export interface ExportedFile {
  attachmentId: string;
  path: string;
  size: number;
  sha256: string;
}

/** `manifest.json`, the last entry of an export: what the ZIP holds, to check it against (docs/export.md). */
export interface ExportManifest {
  deletionId: string;
  status: DeletionStatus;
  activatedAt: Date;
  executeAfter: Date;
  exportedAt: Date;
  types: TypeVolume[];
  attachments: ExportedVolume;
  files: ExportedFile[];
}

/**
 * A stored file name as the last part of a ZIP path: no separators, no control characters, and
 * never `.` or `..`, so no unzip tool can be led outside `files/<attachment id>/`.
 */
export function fileEntryName(fileName: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced.
  const clean = fileName.replace(/[/\\\u0000-\u001f\u007f]/g, '_');
  return clean === '' || clean === '.' || clean === '..' ? '_' : clean;
}
