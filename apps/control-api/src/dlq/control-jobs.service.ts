import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { JobEntity, Page, RunEntity } from '@orch/data';
import { type EventPage, type EventQuery, listEvents } from '@orch/execution';
import { isUuid } from '../common/page-cursor';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { DlqRepository, type JobListFilter, type PageRequest } from './dlq.repository';

/** Read-only views of a workspace's jobs, runs and events for operators. */
@Injectable()
export class ControlJobsService {
  private readonly repository: DlqRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
  ) {
    this.repository = DlqRepository.of(dataSource.manager);
  }

  async list(principal: Principal, workspaceId: string, filter: JobListFilter, page: PageRequest): Promise<Page<JobEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.repository.findJobs(workspaceId, filter, page);
  }

  async get(principal: Principal, workspaceId: string, jobId: string): Promise<{ job: JobEntity; runs: RunEntity[] }> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const job = isUuid(jobId) ? await this.repository.findJob(workspaceId, jobId) : null;
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    return { job, runs: await this.repository.findRuns(workspaceId, jobId) };
  }

  /** The query exec-api's GET /v1/events runs, so both lists agree. */
  async events(principal: Principal, workspaceId: string, query: EventQuery): Promise<EventPage> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return listEvents(this.dataSource, workspaceId, query);
  }
}
