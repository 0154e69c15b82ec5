// Module resolution hook: the `node --import tsx scripts/publish/main.ts` that Publish-Service.ps1
// starts runs main.ts as compile-publish.mjs compiled it, with the stand-ins, from one file.
const PUBLISH_MAIN = new URL('../../../../scripts/publish/main.ts', import.meta.url).href;

let compiled;

export function initialize(data) {
  compiled = data.compiled;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url === PUBLISH_MAIN) return { url: compiled, format: 'module', shortCircuit: true };
  return resolved;
}
