// Preloaded (node -r) into exec-api by `bench:execute --cpu-prof`, which starts it with an IPC
// channel. {type:'profile:start'} starts the V8 CPU profiler in-process; {type:'profile:stop',
// file} stops it, writes the profile to `file` and answers {type:'profile:written', file}. So a
// profile covers exactly one measured run: no boot (module loading would be a large share of a
// whole-life --cpu-prof), no warm-up. IPC rather than a signal: Nest's shutdown hooks treat
// SIGUSR2 as a request to stop.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

let session;

if (process.channel) {
  // The channel must not keep exec-api alive once Nest has shut down.
  process.channel.unref();
  process.on('message', (message) => {
    if (message?.type === 'profile:start' && session === undefined) {
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start', () => process.send({ type: 'profile:started' })));
    } else if (message?.type === 'profile:stop' && session !== undefined) {
      const current = session;
      session = undefined;
      current.post('Profiler.stop', (error, result) => {
        current.disconnect();
        if (error) return process.send({ type: 'profile:failed', message: error.message });
        writeFileSync(message.file, JSON.stringify(result.profile));
        process.send({ type: 'profile:written', file: message.file });
      });
    }
  });
}
