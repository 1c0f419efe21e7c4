// The CLI is a Node bundle like the servers (dist/apps/orchctl/main.js), runnable directly.
const { BannerPlugin } = require('webpack');

const config = require('../../tools/webpack/node-app.config')(__dirname);
config.plugins.push(new BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true }));
module.exports = config;
