// The webpack build of every Nest app: one bundle (dist/apps/<app>/main.js) with node_modules
// left external and a generated package.json listing what the bundle requires.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

/**
 * @param {string} appDir the app's folder (__dirname of its webpack.config.js)
 * @param {{ main?: string, tsConfig?: string, clean?: boolean | object }} options
 */
module.exports = function nodeAppConfig(appDir, options = {}) {
  const name = require(join(appDir, 'project.json')).name;
  return {
    output: {
      path: join(__dirname, '../../dist/apps', name),
      clean: options.clean ?? true,
      ...(process.env.NODE_ENV !== 'production' && { devtoolModuleFilenameTemplate: '[absolute-resource-path]' }),
    },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: options.main ?? './src/main.ts',
        tsConfig: options.tsConfig ?? './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
      }),
    ],
  };
};
