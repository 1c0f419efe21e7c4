// One jest configuration for every project, so unit and e2e runs transform and resolve
// the same way. Transform: @swc/jest (legacy decorators + metadata, as Nest needs);
// type-checking is the separate `typecheck` target.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const workspaceRoot = __dirname;

function moduleNameMapper() {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths ?? {})) {
    mapper[`^${alias.replace('/', '\\/')}$`] = path.join(workspaceRoot, target);
  }
  return mapper;
}

/**
 * @param {string} projectDir absolute directory of the project
 * @param {string} name project name
 * @param {'unit' | 'e2e'} kind unit: *.spec.ts; e2e: *.e2e-spec.ts against real Postgres/Redis
 */
module.exports = function jestProjectConfig(projectDir, name, kind) {
  return {
    displayName: `${name}:${kind}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    // Decorator metadata (swc emits Reflect.metadata calls) needs the polyfill before any module.
    setupFiles: ['reflect-metadata'],
    testMatch: kind === 'unit' ? ['<rootDir>/**/*.spec.ts'] : ['<rootDir>/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: {
      '^.+\\.(t|j)sx?$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true, tsx: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    // jose and content-disposition (via @fastify/static) are ESM-only; let swc transform them.
    transformIgnorePatterns: ['/node_modules/(?!(jose|content-disposition)/)'],
    moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
    moduleNameMapper: moduleNameMapper(),
    testTimeout: kind === 'e2e' ? 30_000 : 5_000,
    coverageDirectory: path.join(workspaceRoot, 'coverage', path.relative(workspaceRoot, projectDir), kind),
  };
};
