import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { BaseConfig } from './config/base-config';
import { ConfigError } from './config/config-error';
import { describeConfig, loadConfig } from './config/load-config';
import { createHttpApp, type HttpAppOptions } from './http/create-http-app';
import { createBootLogger } from './logging/logger.module';

export interface BootLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface AppDefinition<C extends BaseConfig> {
  serviceName: string;
  description: string;
  configClass: new () => C;
  port: (config: C) => number;
  module: (config: C) => DynamicModule;
  /** Checks that must pass before the app is even built (e.g. the worker's Redis policy); throw to refuse. */
  preflight?: (config: C, log: BootLog) => Promise<void>;
  configureFastify?: HttpAppOptions['configureFastify'];
}

/**
 * main.ts of every app: validate the environment (a bad variable stops the process with a
 * message naming it), build the app, run its preflight, listen.
 */
export async function runApp<C extends BaseConfig>(definition: AppDefinition<C>): Promise<NestFastifyApplication | undefined> {
  let config: C;
  try {
    config = loadConfig(definition.configClass, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.serviceName}: refusing to start. ${error.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw error;
  }
  try {
    const bootLogger = createBootLogger(config, definition.serviceName);
    await definition.preflight?.(config, { info: (m) => bootLogger.info(m), warn: (m) => bootLogger.warn(m) });
  } catch (error) {
    process.stderr.write(`${definition.serviceName}: refusing to start. ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return undefined;
  }
  const app = await createHttpApp(definition.module(config), { serviceName: definition.serviceName, description: definition.description, config, configureFastify: definition.configureFastify });
  const logger = app.get(Logger);
  await app.listen({ port: definition.port(config), host: config.HOST });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : definition.port(config);
  logger.log({ msg: `${definition.serviceName} listening on http://${config.HOST}:${port}`, port, config: describeConfig(config) });
  return app;
}
