module.exports = require('../../jest.project.cjs')(__dirname, 'orchctl', 'e2e');
