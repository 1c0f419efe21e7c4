module.exports = require('../../jest.project.cjs')(__dirname, 'policy', 'e2e');
