import { Module } from '@nestjs/common';
import { ExecuteController } from './execute.controller';
import { ExecuteService } from './execute.service';

/** POST /v1/execute (ExecutionModule and SecretsCoreModule come from AppModule). */
@Module({
  controllers: [ExecuteController],
  providers: [ExecuteService],
})
export class ExecuteModule {}
