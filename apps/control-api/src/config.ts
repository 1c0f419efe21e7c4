import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Secret, ServiceConfig } from '@orch/platform';
import { WithMasterKeys } from '@orch/secrets';

/** Injection token of the validated ControlApiConfig (provided by AppModule). */
export const CONTROL_API_CONFIG = Symbol('CONTROL_API_CONFIG');

export class ControlApiConfig extends WithMasterKeys(ServiceConfig) {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CONTROL_API_PORT = 4000;

  /** Folder of `<kid>.private.pem` Ed25519 signing keys; dev and test create one when empty, prod refuses to start. */
  @IsString()
  ORCH_JWT_KEYS_DIR = '.dev-keys/jwt';

  /** The kid that signs; default the last key file in name order. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  ORCH_JWT_ACTIVE_KID?: string;

  /** First OperatorAdmin, created at boot only while no operator exists. */
  @IsOptional()
  @IsEmail()
  ORCH_BOOTSTRAP_ADMIN_EMAIL?: string;

  @Secret()
  @IsOptional()
  @IsString()
  @MinLength(12)
  ORCH_BOOTSTRAP_ADMIN_PASSWORD?: string;

  /** Lets `orchctl bootstrap` (POST /v1/auth/bootstrap) create the first OperatorAdmin; unset = that route refuses. */
  @Secret()
  @IsOptional()
  @IsString()
  @MinLength(24)
  ORCH_BOOTSTRAP_TOKEN?: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(900)
  ORCH_TOKEN_TTL_SECONDS = 900;
}
