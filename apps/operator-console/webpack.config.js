// The BFF bundle. The SPA (build-spa, which `build` depends on) is written to spa/ in the same
// folder beforehand, so cleaning keeps it.
module.exports = require('../../tools/webpack/node-app.config')(__dirname, {
  main: './server/main.ts',
  tsConfig: './tsconfig.server.json',
  clean: { keep: /^spa([\\/]|$)/ },
});
