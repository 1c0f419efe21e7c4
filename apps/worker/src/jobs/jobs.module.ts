import { Module } from '@nestjs/common';
import { JobRunner } from './job-runner.service';
import { JobSweeper } from './job-sweeper.service';
import { JobsProcessor } from './jobs.processor';

/** Job execution on the `jobs` queue, and the sweeper that re-enqueues rows that lost their entry. */
@Module({ providers: [JobRunner, JobsProcessor, JobSweeper] })
export class JobsModule {}
