import { Module } from '@nestjs/common';
import { ImpersonationModule } from '../impersonation/impersonation.module';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { LoginThrottle } from './auth/login-throttle';
import { RefreshTokenStore } from './auth/refresh-token.store';
import { BootstrapService } from './bootstrap.service';
import { BreakGlassController } from './break-glass/break-glass.controller';
import { BreakGlassService } from './break-glass/break-glass.service';
import { OperatorsController } from './operators.controller';
import { OperatorsRepository } from './operators.repository';
import { OperatorsService } from './operators.service';

/** Operators and their sign-in: bootstrap, login/refresh, invites, roles and status, break-glass. */
@Module({
  imports: [ImpersonationModule],
  controllers: [AuthController, OperatorsController, BreakGlassController],
  providers: [OperatorsRepository, OperatorsService, AuthService, LoginThrottle, RefreshTokenStore, BootstrapService, BreakGlassService],
})
export class OperatorsModule {}
