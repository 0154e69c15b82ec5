// Module resolution hooks: scripts/publish/main.ts gets the stand-ins beside this file instead of
// the real ARM client factory, blob client and App Service path, which reach Azure's public
// endpoints. Every other module, and main.ts itself, is the real one.
const PUBLISH_MAIN = new URL('../../../../scripts/publish/main.ts', import.meta.url).href;
const ARM_CLIENT = new URL('../../../../scripts/publish/arm-client.ts', import.meta.url).href;
const PUBLISH_APP_SERVICE = new URL('../../../../scripts/publish/app-service/publish-app-service.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (context.parentURL === PUBLISH_MAIN) {
    if (resolved.url === ARM_CLIENT) return { ...resolved, url: new URL('./arm-client.ts', import.meta.url).href, shortCircuit: true };
    if (resolved.url === PUBLISH_APP_SERVICE) return { ...resolved, url: new URL('./publish-app-service.ts', import.meta.url).href, shortCircuit: true };
    if (specifier === '@azure/storage-blob') {
      return { url: new URL('./storage-blob.ts', import.meta.url).href, format: 'module', shortCircuit: true };
    }
  }
  return resolved;
}
