import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { ControlProxyController, ExecProxyController } from './proxy.controller';
import { ProxyService } from './proxy.service';

@Module({ imports: [SessionModule], controllers: [ControlProxyController, ExecProxyController], providers: [ProxyService] })
export class ProxyModule {}
