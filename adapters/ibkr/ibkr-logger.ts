/** The logging the IBKR adapter needs (pino's logger and the system logger fit). */
export interface IbkrLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Logs nothing (the default when no logger is given). */
export const silentLogger: IbkrLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
