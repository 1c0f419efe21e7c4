module.exports = require('../../jest.project.cjs')(__dirname, 'webhook-ingress', 'unit');
