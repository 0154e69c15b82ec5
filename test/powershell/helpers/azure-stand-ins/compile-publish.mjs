/**
 * `node compile-publish.mjs <outfile>`: compiles scripts/publish/main.ts and everything it imports
 * (the Azure SDK packages too) into one JavaScript file with esbuild, the stand-ins beside this
 * file taking the place of the three modules main.ts imports that reach Azure's public endpoints:
 * the ARM client factory, the App Service path and the blob client. Every other module, and
 * main.ts itself, is the real one. The Pester tests compile it once; each publish that
 * Publish-Service.ps1 starts then runs this file (hooks.mjs) rather than loading ~1,700 modules:
 * 0.8 instead of 2.9 CPU s for a -WhatIf, measured on a 2-core machine.
 * Plain JavaScript, run by node alone: esbuild compiles the TypeScript.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

const PUBLISH_MAIN = fileURLToPath(new URL('../../../../scripts/publish/main.ts', import.meta.url));
const standIn = (name) => fileURLToPath(new URL(name, import.meta.url));
const STAND_INS = new Map([
  ['./arm-client.js', standIn('./arm-client.ts')],
  ['./app-service/publish-app-service.js', standIn('./publish-app-service.ts')],
  ['@azure/storage-blob', standIn('./storage-blob.ts')],
]);

/** What main.ts imports of those three is the stand-in; what the stand-ins import is the real module. */
const azureStandIns = {
  name: 'azure-stand-ins',
  setup(compile) {
    compile.onResolve({ filter: /^[.@]/ }, ({ path, importer }) =>
      importer === PUBLISH_MAIN && STAND_INS.has(path) ? { path: STAND_INS.get(path) } : undefined,
    );
  },
};

/**
 * Each module keeps its own import.meta.url, as when Node loads it from its file: main.ts finds
 * the repository from where it lies, the test helpers their fixtures, a package the files shipped
 * beside it, wherever the compiled file is written.
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(compile) {
    compile.onLoad({ filter: /\.[cm]?[jt]s$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return {
        contents: source.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(path).href)),
        loader: /\.[cm]?ts$/.test(path) ? 'ts' : 'js',
      };
    });
  },
};

const outfile = process.argv[2];
if (!outfile) throw new Error('usage: node compile-publish.mjs <outfile>');
try {
  const [output] = (
    await build({
      entryPoints: [PUBLISH_MAIN],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // The CommonJS packages inside call require(); an ES module has none of its own.
      banner: { js: "import { createRequire as createRequireForPackages } from 'node:module';\nconst require = createRequireForPackages(import.meta.url);" },
      plugins: [azureStandIns, keepModuleUrls],
      write: false,
      logLevel: 'warning',
    })
  ).outputFiles;
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, output.contents);
} finally {
  await stop();
}
