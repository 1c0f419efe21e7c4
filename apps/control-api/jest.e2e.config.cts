module.exports = require('../../jest.project.cjs')(__dirname, 'control-api', 'e2e');
