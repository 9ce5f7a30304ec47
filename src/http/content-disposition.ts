/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266 with
 * RFC 5987's extended value). Stored names come from users: the fallback keeps printable ASCII only
 * and replaces quotes, backslashes, path separators, `%` and every control character (CR/LF could
 * otherwise end the header) with `_`; the extended value percent-encodes everything but RFC 5987's
 * attr-chars, so neither part can break out of its parameter. Browsers prefer `filename*`.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\/%]/g, '_') || 'file';
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
