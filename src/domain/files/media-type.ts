/** The longest `Content-Type` an upload may carry: real media types are far shorter (RFC 6838 caps each name at 127). */
export const MAX_MEDIA_TYPE_LENGTH = 255;

// RFC 9110 §8.3.1: media-type = type "/" subtype parameters; parameters = *( OWS ";" OWS [ parameter ] );
// parameter = token "=" ( token / quoted-string ); token = 1*tchar. Quoted strings: qdtext or quoted-pair,
// visible ASCII and tab only (obs-text left out: a stored type is sent back as a header).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*$`);

/** Whether `value` is a media type by RFC 9110's grammar and at most MAX_MEDIA_TYPE_LENGTH characters. */
export function isMediaType(value: string): boolean {
  return value.length <= MAX_MEDIA_TYPE_LENGTH && MEDIA_TYPE.test(value);
}
