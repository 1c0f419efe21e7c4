import { Module } from '@nestjs/common';
import { UpstreamsController } from './upstreams.controller';
import { UpstreamsService } from './upstreams.service';

@Module({ controllers: [UpstreamsController], providers: [UpstreamsService] })
export class UpstreamsModule {}
