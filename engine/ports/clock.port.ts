/**
 * Wall-clock time for things that are about the process, not the market (uptime, status
 * timestamps). Market logic uses event time from messages and an injected RxJS scheduler instead.
 */
export interface ClockPort {
  now(): number;
}

/** Fresh unique ids (UUIDs) for client order ids. */
export interface IdPort {
  next(): string;
}
