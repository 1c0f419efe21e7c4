import { useId, useState } from 'react';
import { ApiError } from '../../api/api-error';
import { type ExecuteResult, hasFormFields, operationsOf, type PlaygroundOperation } from '../../api/execute';
import { ErrorNotice } from '../../components/error-notice';
import { JsonEditor } from '../../components/json-editor';
import { JsonView } from '../../components/json-view';
import { Page } from '../../components/page';
import { QueryState } from '../../components/query-state';
import { SchemaForm } from '../../forms/schema-form';
import { useExecEvents } from '../../hooks/use-events';
import { useConnectorTypes } from '../../hooks/use-connector-types';
import { useConnectors } from '../../hooks/use-connectors';
import { useExecute } from '../../hooks/use-execute';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { EventLines } from './event-lines';
import { formatDuration, StatusPill } from './format';
import { ImpersonationGate } from './impersonation-gate';

/** Run one operation of a connector through exec-api, as the impersonated workspace, and see what happened. */
export function PlaygroundPage() {
  const workspaceId = useWorkspaceId();
  return (
    <Page title="Execute playground" subtitle="Run one operation of a connector through exec-api, with the connector's policy (timeouts, retries, breaker), and see its output and events.">
      <ImpersonationGate workspaceId={workspaceId} purpose="run operations in the playground">
        <Playground workspaceId={workspaceId} />
      </ImpersonationGate>
    </Page>
  );
}

function Playground({ workspaceId }: { workspaceId: string }) {
  const connectors = useConnectors(workspaceId, { limit: 200 });
  const types = useConnectorTypes(workspaceId);
  const execute = useExecute(workspaceId);
  const connectorId = useId();
  const operationId = useId();
  const keyId = useId();
  const timeoutId = useId();
  const [timeoutMs, setTimeoutMs] = useState('');
  const [connectorName, setConnectorName] = useState('');
  const [chosenOperation, setChosenOperation] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState('');

  const connector = connectors.data?.data.find((candidate) => candidate.name === connectorName);
  const operations = operationsOf(connector, types.data?.data);
  const operation = operations.find((candidate) => candidate.operation_id === chosenOperation) ?? operations[0];

  const run = (payload: Record<string, unknown>) => {
    if (!connector || !operation) return;
    const timeout = Number.parseInt(timeoutMs, 10);
    execute.mutate({ request: { connector: connector.name, operation: operation.operation_id, payload, ...(Number.isInteger(timeout) && timeout > 0 ? { timeout_ms: timeout } : {}) }, idempotencyKey });
  };

  return (
    <QueryState isLoading={connectors.isLoading} error={connectors.error} isEmpty={connectors.data?.data.length === 0} empty="This workspace has no connectors yet: create one first.">
      <section className="panel" aria-label="Connector and operation">
        <h2 className="panel__title">Operation</h2>
        <div className="form__row">
          <div className="form__field">
            <label htmlFor={connectorId}>Connector</label>
            <select
              id={connectorId}
              value={connectorName}
              onChange={(event) => {
                setConnectorName(event.target.value);
                setChosenOperation('');
                execute.reset();
              }}
            >
              <option value="">Choose a connector</option>
              {connectors.data?.data.map((candidate) => (
                <option key={candidate.name} value={candidate.name}>
                  {candidate.name} ({candidate.type})
                </option>
              ))}
            </select>
          </div>
          <div className="form__field">
            <label htmlFor={operationId}>Operation</label>
            <select
              id={operationId}
              value={operation?.operation_id ?? ''}
              disabled={!connector || operations.length === 0}
              onChange={(event) => {
                setChosenOperation(event.target.value);
                execute.reset();
              }}
            >
              {operations.length === 0 && <option value="">{connector ? (types.isLoading ? 'Loading…' : 'No operations') : 'Choose a connector first'}</option>}
              {operations.map((candidate) => (
                <option key={candidate.operation_id} value={candidate.operation_id}>
                  {candidate.title ? `${candidate.operation_id} — ${candidate.title}` : candidate.operation_id}
                </option>
              ))}
            </select>
          </div>
          <div className="form__field">
            <label htmlFor={keyId}>Idempotency-Key (optional)</label>
            <input id={keyId} type="text" maxLength={255} value={idempotencyKey} onChange={(event) => setIdempotencyKey(event.target.value)} placeholder="e.g. order-1042-charge" />
          </div>
          <div className="form__field">
            <label htmlFor={timeoutId}>Timeout (ms, optional)</label>
            <input id={timeoutId} type="number" min={1} max={300000} value={timeoutMs} onChange={(event) => setTimeoutMs(event.target.value)} placeholder="policy total" />
          </div>
        </div>
        <ErrorNotice error={types.error} title="The connector types could not be loaded" />
      </section>

      {connector && operation && (
        <PayloadPanel key={`${connector.name}/${operation.operation_id}`} operation={operation} running={execute.isPending} serverError={execute.error} onRun={run} />
      )}

      {(execute.data || execute.error) && <ExecutionOutcome workspaceId={workspaceId} result={execute.data} error={execute.error} />}
    </QueryState>
  );
}

/** The payload form from the operation's `payload_schema`, or a JSON editor when it has no fields. */
function PayloadPanel({ operation, running, serverError, onRun }: { operation: PlaygroundOperation; running: boolean; serverError: unknown; onRun: (payload: Record<string, unknown>) => void }) {
  const [payload, setPayload] = useState<Record<string, unknown>>({});
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const runLabel = running ? 'Running…' : 'Run';
  return (
    <section className="panel" aria-label="Payload">
      <h2 className="panel__title">Payload</h2>
      {hasFormFields(operation.payload_schema) ? (
        <SchemaForm<Record<string, unknown>> schema={operation.payload_schema} formData={payload} onChange={setPayload} onSubmit={(data) => onRun(data ?? {})} serverError={serverError} pathPrefix="/payload" disabled={running} idPrefix="payload">
          <button type="submit" className="button button--primary" disabled={running}>
            {runLabel}
          </button>
        </SchemaForm>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!invalid) onRun(payload);
          }}
        >
          <JsonEditor label="Payload (JSON)" value={payload} onChange={(value) => setPayload(value as Record<string, unknown>)} onValidityChange={setInvalid} rows={8} hint="This operation declares no payload fields: write the JSON object to send." />
          <div>
            <button type="submit" className="button button--primary" disabled={running || invalid !== undefined}>
              {runLabel}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function executionIdOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || typeof error.details !== 'object' || error.details === null || Array.isArray(error.details)) return undefined;
  const id = (error.details as Record<string, unknown>)['execution_id'];
  return typeof id === 'string' ? id : undefined;
}

function detailNumber(error: unknown, key: string): number | undefined {
  if (!(error instanceof ApiError) || typeof error.details !== 'object' || error.details === null || Array.isArray(error.details)) return undefined;
  const value = (error.details as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

/** What the run answered: the output with attempts, upstream status and duration, or the error envelope. */
function ExecutionOutcome({ workspaceId, result, error }: { workspaceId: string; result: ExecuteResult | undefined; error: unknown }) {
  const executionId = result?.execution_id ?? executionIdOf(error);
  const failedAttempts = detailNumber(error, 'attempts');
  const failedUpstream = detailNumber(error, 'upstream_status');
  return (
    <section className="panel" aria-label="Result">
      <h2 className="panel__title">Result</h2>
      {result ? (
        <>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusPill status={result.status} />
            </dd>
            <dt>Attempts</dt>
            <dd>{result.attempts}</dd>
            <dt>Upstream status</dt>
            <dd>{result.upstream.status}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(result.upstream.duration_ms)}</dd>
            <dt>Execution id</dt>
            <dd className="mono">{result.execution_id}</dd>
          </dl>
          <h3 className="section-title">Output</h3>
          <JsonView value={result.output} label="Output" />
        </>
      ) : (
        <>
          <ErrorNotice error={error} title="The execution failed" />
          {(failedAttempts !== undefined || failedUpstream !== undefined || executionId) && (
            <dl className="kv">
              {failedAttempts !== undefined && (
                <>
                  <dt>Attempts</dt>
                  <dd>{failedAttempts}</dd>
                </>
              )}
              {failedUpstream !== undefined && (
                <>
                  <dt>Upstream status</dt>
                  <dd>{failedUpstream}</dd>
                </>
              )}
              {executionId && (
                <>
                  <dt>Execution id</dt>
                  <dd className="mono">{executionId}</dd>
                </>
              )}
            </dl>
          )}
          {error instanceof ApiError && error.details !== undefined && !Array.isArray(error.details) && (
            <>
              <h3 className="section-title">Error details</h3>
              <JsonView value={error.details} label="Error details" />
            </>
          )}
        </>
      )}
      {executionId && <ExecutionEvents workspaceId={workspaceId} executionId={executionId} />}
    </section>
  );
}

function ExecutionEvents({ workspaceId, executionId }: { workspaceId: string; executionId: string }) {
  const events = useExecEvents(workspaceId, { execution_id: executionId });
  return (
    <div className="execution-events">
      <div className="section-header">
        <h3 className="section-title">Events of this execution</h3>
        <button type="button" className="button button--small" onClick={() => void events.refetch()} disabled={events.isFetching}>
          Refresh events
        </button>
      </div>
      <QueryState isLoading={events.isLoading} error={events.error} isEmpty={events.data?.data.length === 0} empty="No events recorded for this execution yet.">
        <EventLines events={events.data?.data ?? []} label="Events of this execution" />
      </QueryState>
    </div>
  );
}
