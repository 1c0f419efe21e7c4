// Reading events: the query shared by exec-api's and control-api's listings, and the SSE stream parts.
export * from './event-query';
export * from './event-hub';
export * from './event-stream';
