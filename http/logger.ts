/**
 * The logging surface http/ needs: a subset of pino's, so main can pass its pino logger and tests a
 * recording fake. Objects come first (pino style) so fields stay structured.
 */
export interface HttpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
