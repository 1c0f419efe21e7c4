module.exports = require('../../jest.project.cjs')(__dirname, 'data', 'e2e');
