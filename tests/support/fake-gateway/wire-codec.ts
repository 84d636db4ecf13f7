/**
 * TWS API "V100+" framing: every message is a uint32 big-endian length followed by UTF-8 fields,
 * each terminated by NUL (the last one too: `@stoqey/ib` keeps an unterminated tail and glues it to
 * the next frame). The connection starts with the client's unframed `"API\0"` + length + `"v100..193"`.
 */

/** A field as the fake writes it: numbers in decimal, booleans as 1/0, undefined as the empty string. */
export type WireField = string | number | boolean | undefined;

/** Java's Double.MAX_VALUE as TWS prints it: the "unset double" sentinel. */
export const UNSET_DOUBLE = '1.7976931348623157E308';
/** Java's Integer.MAX_VALUE: the "unset int" sentinel. */
export const UNSET_INT = '2147483647';

const toText = (field: WireField): string => {
  if (field === undefined) return '';
  if (typeof field === 'boolean') return field ? '1' : '0';
  if (typeof field === 'number') {
    if (!Number.isFinite(field)) throw new Error(`fake gateway: refusing to encode non-finite number ${field}`);
    return String(field);
  }
  if (field.includes('\0')) throw new Error('fake gateway: a field must not contain NUL');
  return field;
};

/** Field values as text, exactly as they go on the wire. */
export const fieldsToText = (fields: readonly WireField[]): string[] => fields.map(toText);

/** One framed message: length prefix + NUL-terminated fields. */
export const encodeFrame = (fields: readonly WireField[]): Buffer => {
  const payload = Buffer.from(fieldsToText(fields).join('\0') + '\0', 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
};

/** Splits a frame payload into its fields (the trailing NUL yields no extra field). */
export const decodePayload = (payload: Buffer): string[] => {
  const text = payload.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
};

/** The client's opening: supported server-version range (and anything after it, e.g. connect options). */
export interface Handshake {
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly raw: string;
}

export type HandshakeResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'ok'; readonly handshake: Handshake; readonly consumed: number };

const API_PREFIX = Buffer.from('API\0', 'latin1');

/** Parses `"API\0" + uint32 len + "v<min>[..<max>][ options]"` from the start of `buf`. */
export const parseHandshake = (buf: Buffer): HandshakeResult => {
  if (buf.length < 4) {
    return API_PREFIX.subarray(0, buf.length).equals(buf)
      ? { kind: 'incomplete' }
      : { kind: 'invalid', reason: 'missing API prefix' };
  }
  if (!buf.subarray(0, 4).equals(API_PREFIX)) return { kind: 'invalid', reason: 'missing API prefix' };
  if (buf.length < 8) return { kind: 'incomplete' };
  const len = buf.readUInt32BE(4);
  if (len > 1024) return { kind: 'invalid', reason: `version string too long (${len})` };
  if (buf.length < 8 + len) return { kind: 'incomplete' };
  const raw = buf.subarray(8, 8 + len).toString('utf8');
  const match = /^v(\d+)(?:\.\.(\d+))?/.exec(raw);
  if (!match?.[1]) return { kind: 'invalid', reason: `unparseable version string "${raw}"` };
  const minVersion = Number(match[1]);
  const maxVersion = match[2] === undefined ? minVersion : Number(match[2]);
  return { kind: 'ok', handshake: { minVersion, maxVersion, raw }, consumed: 8 + len };
};

/** Accumulates TCP chunks and yields complete frames (each as its list of fields). */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: string[][] = [];
    while (this.buffer.length >= 4) {
      const len = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + len) break;
      frames.push(decodePayload(this.buffer.subarray(4, 4 + len)));
      this.buffer = this.buffer.subarray(4 + len);
    }
    return frames;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pending(): number {
    return this.buffer.length;
  }
}
