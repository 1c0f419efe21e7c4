// Container health check (Docker HEALTHCHECK, compose): GET /health on this container's own
// port. Exit 0 on a 2xx answer, 1 otherwise. /health is liveness only and never touches
// Postgres or Redis, so a database outage does not get healthy containers restarted.
'use strict';

const PORTS = {
  'control-api': ['CONTROL_API_PORT', 4000],
  'exec-api': ['EXEC_API_PORT', 4001],
  'operator-console': ['CONSOLE_PORT', 4002],
  'webhook-ingress': ['WEBHOOK_INGRESS_PORT', 4003],
  worker: ['WORKER_PORT', 4004],
};

const app = process.env.APP ?? '';
const entry = PORTS[app];
if (!entry) {
  process.stderr.write(`healthcheck: unknown APP "${app}"\n`);
  process.exit(1);
}
const [portVariable, defaultPort] = entry;
const port = Number(process.env[portVariable] ?? defaultPort);

fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  (error) => {
    process.stderr.write(`healthcheck: ${error && error.message ? error.message : error}\n`);
    process.exit(1);
  },
);
