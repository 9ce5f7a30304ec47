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
  /** The name as uploaded; `path` holds it made safe for every unzip tool. */
  fileName: string;
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

/** Separators, what Windows refuses in a name, and control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what is replaced.
const UNSAFE_CHARACTERS = /[/\\<>:"|?*\u0000-\u001f\u007f]/g;

/** Names Windows reserves for devices, with or without an extension (`con`, `aux.txt`, `COM1.tar.gz`). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A stored file name as the last part of a ZIP path, safe to extract on POSIX and on Windows: no
 * separators, none of `<>:"|?*` (a `:` names a drive or an NTFS stream), no control characters, no
 * trailing dot or space (Windows drops them, so two names could collide), never `.` or `..` and never
 * a device name (`CON`, `aux.txt`, `LPT1`…), so no unzip tool can be led outside
 * `files/<attachment id>/` or at a device. The manifest keeps the name as uploaded.
 */
export function fileEntryName(fileName: string): string {
  if (/^\.*$/.test(fileName)) return '_';
  const clean = fileName.replace(UNSAFE_CHARACTERS, '_').replace(/[. ]+$/, (tail) => '_'.repeat(tail.length));
  return WINDOWS_DEVICE.test(clean) ? `_${clean}` : clean;
}
