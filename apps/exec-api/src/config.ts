import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { VerifyingServiceConfig } from '@orch/platform';

export class ExecApiConfig extends VerifyingServiceConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  EXEC_API_PORT = 4001;
}
