import { Type } from 'class-transformer';
import { IsInt, IsString, IsUrl, Max, Min } from 'class-validator';
import { BaseConfig } from '@orch/platform';
import { defaultSpaDir } from './spa/spa-dir';

const LOOPBACK_OR_HOST_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** The BFF owns no Postgres: Redis (readiness, later sessions) and its two upstream APIs. */
export class ConsoleConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CONSOLE_PORT = 4002;

  @IsUrl(LOOPBACK_OR_HOST_URL)
  CONTROL_API_URL = 'http://127.0.0.1:4000';

  @IsUrl(LOOPBACK_OR_HOST_URL)
  EXEC_API_URL = 'http://127.0.0.1:4001';

  /** The built SPA (index.html + assets/). */
  @IsString()
  CONSOLE_SPA_DIR = defaultSpaDir();
}
