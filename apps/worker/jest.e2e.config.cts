module.exports = require('../../jest.project.cjs')(__dirname, 'worker', 'e2e');
