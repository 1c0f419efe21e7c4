import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, Mutation, type MutationContext } from '@orch/auth';
import { CreateOperatorRequest, ListOperatorsQuery, UpdateOperatorRequest } from './dto/operator.requests';
import { CreatedOperatorResponse, OperatorPageResponse, OperatorResponse } from './dto/operator.response';
import { OperatorsService } from './operators.service';

@ApiTags('operators')
@Controller('v1/operators')
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  /** Invites an operator: answers the one-time invite token (shown once). */
  @Post()
  @Access('operators.create')
  @ApiReason()
  @ApiCreatedResponse({ type: CreatedOperatorResponse })
  create(@Body() body: CreateOperatorRequest, @Mutation() ctx: MutationContext): Promise<CreatedOperatorResponse> {
    return this.operators.create(body, ctx);
  }

  @Get()
  @Access('operators.list')
  @ApiOkResponse({ type: OperatorPageResponse })
  list(@Query() query: ListOperatorsQuery): Promise<OperatorPageResponse> {
    return this.operators.list(query.limit, query.cursor);
  }

  @Get(':operatorId')
  @Access('operators.get')
  @ApiOkResponse({ type: OperatorResponse })
  get(@Param('operatorId') operatorId: string): Promise<OperatorResponse> {
    return this.operators.get(operatorId);
  }

  /** Roles, status (active/disabled), display name. Disabling or a role change ends the operator's sessions. */
  @Patch(':operatorId')
  @Access('operators.update')
  @ApiReason()
  @ApiOkResponse({ type: OperatorResponse })
  update(@Param('operatorId') operatorId: string, @Body() body: UpdateOperatorRequest, @Mutation() ctx: MutationContext): Promise<OperatorResponse> {
    return this.operators.update(operatorId, body, ctx);
  }
}
