import { Decoder, type DecoderCallbacks } from '@stoqey/ib/dist/core/io/decoder.js';
import type { EventName } from '@stoqey/ib';

/** What the real client decoder made of one frame. */
export interface SelfCheckResult {
  /**
   * Errors the decoder raised: ERR_MSG frames decode to errors too (their own code); 505 = field-count
   * mismatch (the fake's encoding is wrong); −2 = the decoder threw.
   */
  readonly errors: readonly { readonly code: number; readonly message: string }[];
  /** Events the decoder emitted, in order (name + arguments). */
  readonly events: readonly { readonly name: string; readonly args: readonly unknown[] }[];
}

/**
 * Runs the unmodified `@stoqey/ib` 1.6.10 decoder over one frame's fields at server version `sv`.
 * The fake calls it on every outgoing frame so an encoding mistake is caught at the source, even when
 * the test has no handle on the client object.
 */
export const decodeWithClientDecoder = (sv: number, fields: readonly string[]): SelfCheckResult => {
  const errors: { code: number; message: string }[] = [];
  const events: { name: string; args: readonly unknown[] }[] = [];
  const callbacks: DecoderCallbacks = {
    serverVersion: sv,
    emitEvent: (name: EventName, ...args: unknown[]) => {
      events.push({ name, args });
    },
    emitError: (message: string, code: number) => {
      errors.push({ code, message });
    },
    emitInfo: (message: string, code: number) => {
      events.push({ name: 'info', args: [message, code] });
    },
  };
  const decoder = new Decoder(callbacks);
  decoder.enqueueMessage([...fields]);
  try {
    decoder.process();
  } catch (e: unknown) {
    errors.push({ code: -2, message: e instanceof Error ? e.message : String(e) });
  }
  return { errors, events };
};
