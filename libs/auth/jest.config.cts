module.exports = require('../../jest.project.cjs')(__dirname, 'auth', 'unit');
