/** One bad setting: the variable's name and what was wrong with its value. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/**
 * Start-up refused because of configuration. The message lists every bad variable on its own line
 * (`NAME: expected ..., got '...'`) so one run shows all that needs fixing; it never quotes a secret.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      [
        `Invalid configuration (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):`,
        ...issues.map((issue) => `  ${issue.variable}: ${issue.message}`),
      ].join('\n'),
    );
  }
}
