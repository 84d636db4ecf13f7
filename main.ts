import { ConfigError, loadConfig, readEnv, redactedConfig } from './adapters/config/app-config.js';
import { createLogger } from './adapters/logging/logger.js';
import { createSystem } from './adapters/system/create-system.js';

/**
 * Composition root: parse the configuration once, build the system, run it, and own shutdown
 * (SIGINT/SIGTERM stop the scheduler, finish in-flight orders and writes, then exit).
 */
const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig(readEnv(process.cwd()));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Invalid configuration, not starting:\n${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  logger.info({ config: redactedConfig(config) }, 'configuration loaded');
  const system = await createSystem({ config, logger });
  const address = await system.start();
  const status = system.engine.schedulerStatus();
  const broker = system.mode === 'ibkr' ? `ibkr mode (${config.ibkr.tradingMode} account)` : 'paper mode';
  logger.info(
    {
      url: `http://${address.host}:${address.port}`,
      broker: system.mode,
      scheduler: status.state,
      strategies: system.engine.listStrategies().map((s) => s.id),
    },
    `trading bot running in ${broker} on http://${address.host}:${address.port} (scheduler ${status.state})`,
  );

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: stopping the scheduler, finishing orders and writes');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    system
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
};

main().catch((err: unknown) => {
  console.error('fatal:', err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
