module.exports = require('../../jest.project.cjs')(__dirname, 'operator-console', 'e2e');
