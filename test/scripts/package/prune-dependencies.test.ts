import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingEntryPoints } from '../../../scripts/package/entry-points.js';
import { pruneDependencies } from '../../../scripts/package/prune-dependencies.js';

function files(root: string, contents: Record<string, string>): void {
  for (const [path, content] of Object.entries(contents)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'chatapp-prune-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('pruning the staged node_modules', () => {
  const nodeModules = join(scratch, 'pruned', 'node_modules');
  let pruned: { files: number; bytes: number };

  before(() => {
    files(nodeModules, {
      'lib-a/package.json': JSON.stringify({ name: 'lib-a', main: 'dist/index.js', types: 'dist/index.d.ts' }),
      'lib-a/LICENSE': 'MIT',
      'lib-a/README.md': '# lib-a',
      'lib-a/CHANGELOG.md': '1.0.0',
      'lib-a/dist/index.js': 'module.exports = 1;\n//# sourceMappingURL=index.js.map',
      'lib-a/dist/index.js.map': '{}',
      'lib-a/dist/index.d.ts': 'export {};',
      'lib-a/dist/esm/index.d.mts': 'export {};',
      'lib-a/dist/history.js': 'module.exports = [];',
      'lib-a/dist/doc/Document.js': 'module.exports = {};',
      'lib-a/dist/test/runtime-helper.js': 'module.exports = {};',
      'lib-a/src/index.ts': 'export default 1;',
      'lib-a/src/platform.mts': 'export {};',
      'lib-a/test/index.test.js': 'require("../");',
      'lib-a/.github/workflows/ci.yml': 'on: push',
      'lib-a/data/schema.proto': 'syntax = "proto3";',
      '@scope/no-licence-file/package.json': JSON.stringify({ name: '@scope/no-licence-file', license: 'MIT' }),
      '@scope/no-licence-file/README.md': 'MIT License: Copyright ...',
      '@scope/no-licence-file/index.js': '',
      '@scope/no-licence-file/node_modules/nested/package.json': '{}',
      '@scope/no-licence-file/node_modules/nested/LICENCE.txt': 'ISC',
      '@scope/no-licence-file/node_modules/nested/index.js.map': '{}',
    });
    pruned = pruneDependencies(nodeModules);
  });

  it('removes source maps, type declarations, TypeScript sources, release notes and a package\'s own tests and CI folder, at any depth', () => {
    for (const gone of [
      'lib-a/dist/index.js.map',
      'lib-a/dist/index.d.ts',
      'lib-a/dist/esm/index.d.mts',
      'lib-a/src/index.ts',
      'lib-a/src/platform.mts',
      'lib-a/CHANGELOG.md',
      'lib-a/test',
      'lib-a/.github',
      '@scope/no-licence-file/node_modules/nested/index.js.map',
    ]) {
      assert.ok(!existsSync(join(nodeModules, gone)), `${gone} is left out`);
    }
    assert.equal(pruned.files, 10, 'the files above (test/ and .github/ one each) and lib-a/README.md');
  });

  it('keeps code, data, package.json and licence files, and a README where no licence file stands beside it', () => {
    for (const kept of [
      'lib-a/package.json',
      'lib-a/LICENSE',
      'lib-a/dist/index.js',
      'lib-a/dist/history.js',
      'lib-a/dist/doc/Document.js',
      'lib-a/dist/test/runtime-helper.js',
      'lib-a/data/schema.proto',
      '@scope/no-licence-file/README.md',
      '@scope/no-licence-file/index.js',
      '@scope/no-licence-file/node_modules/nested/LICENCE.txt',
    ]) {
      assert.ok(existsSync(join(nodeModules, kept)), `${kept} stays`);
    }
    assert.ok(!existsSync(join(nodeModules, 'lib-a/README.md')), 'a README beside a LICENSE goes');
  });
});

describe('the files package.json names for Node to load', () => {
  it('reports a main, an exports target or an imports target that is missing, naming the package', () => {
    const nodeModules = join(scratch, 'broken', 'node_modules');
    files(nodeModules, {
      'a/package.json': JSON.stringify({ main: 'lib/index' }),
      'b/package.json': JSON.stringify({ exports: { '.': { types: './index.d.ts', import: './index.mjs', require: './index.cjs' }, './utils/*': './dist/utils/*.js' } }),
      'b/index.cjs': '',
      '@s/c/package.json': JSON.stringify({ imports: { '#env': { browser: './env-browser.js', default: './env-node.js' } } }),
    });
    assert.deepEqual(missingEntryPoints(nodeModules), [
      "node_modules/@s/c: package.json's imports names ./env-node.js, which is missing",
      "node_modules/a: package.json's main names lib/index, which is missing",
      "node_modules/b: package.json's exports names ./index.mjs, which is missing",
      "node_modules/b: package.json's exports names ./dist/utils/*.js, which is missing",
    ]);
  });

  it('passes targets Node never loads: other conditions than Node\'s, declarations, TypeScript, and a main found with .js added', () => {
    const nodeModules = join(scratch, 'complete', 'node_modules');
    files(nodeModules, {
      'a/package.json': JSON.stringify({ main: 'lib/index' }),
      'a/lib/index.js': '',
      '@types/pg/package.json': JSON.stringify({ exports: { '.': { import: './index.d.mts', require: './index.d.ts' } } }),
      'zod/package.json': JSON.stringify({ exports: { '.': { '@zod/source': './src/index.ts', types: './index.d.cts', require: './index.cjs' } } }),
      'zod/index.cjs': '',
      'sdk/package.json': JSON.stringify({ imports: { '#platform/*': { default: './src/*.ts' } }, exports: { './*': { browser: './browser/*.js', default: './dist/*.js' } } }),
      'sdk/dist/x.js': '',
    });
    assert.deepEqual(missingEntryPoints(nodeModules), []);
  });
});
