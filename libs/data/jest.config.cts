module.exports = require('../../jest.project.cjs')(__dirname, 'data', 'unit');
