module.exports = require('../../jest.project.cjs')(__dirname, 'connectors', 'e2e');
