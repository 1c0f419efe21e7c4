module.exports = require('../../jest.project.cjs')(__dirname, 'execution', 'e2e');
