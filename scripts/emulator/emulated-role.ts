import { join } from 'node:path';
import { splitCommandLine, toRoleRelativePath } from '../service-model/command-line.js';
import type { ServiceModel } from '../service-model/model.js';
import { LOCAL_CONFIGURATION_FILE } from '../service-model/service-files.js';
import { type Distribution, readEndpointDistribution } from './endpoint-distribution.js';

/** What the emulator needs of one role, resolved from the csdef and the Local cscfg. */
export interface EmulatedRole {
  name: string;
  instanceCount: number;
  endpoint: {
    name: string;
    port: number;
    distribution: Distribution;
    idleTimeoutMs: number;
  };
  probe: Probe | undefined;
  /** Variable name to value or role-environment xpath, exactly as the csdef's Runtime declares. */
  environment: { name: string; value: string | undefined; xpath: string | undefined }[];
  /** Setting values from the Local cscfg, by setting name. */
  settings: Map<string, string>;
  /** The approot: the role folder that the entry point's paths are relative to. */
  roleFolder: string;
  /** Absolute path of the script the ProgramEntryPoint runs, and its arguments. */
  entryScript: string;
  entryArgs: string[];
}

export interface Probe {
  protocol: 'http' | 'tcp';
  path: string;
  intervalMs: number;
  timeoutMs: number;
}

/** Azure's defaults: 4 minute idle timeout; probes every 15 s, out after 31 s. */
const DEFAULT_IDLE_MINUTES = 4;
const DEFAULT_PROBE_INTERVAL_S = 15;
const DEFAULT_PROBE_TIMEOUT_S = 31;

export class ServiceModelError extends Error {}

/**
 * The first role of the model with an input endpoint. The chat has exactly one; a second role
 * would need a second load balancer, which nothing needs yet.
 */
export function emulatedRole(model: ServiceModel): EmulatedRole {
  const role = model.definition.roles.find((r) => r.inputEndpoints.length > 0);
  if (!role?.name) throw new ServiceModelError('the csdef has no role with an InputEndpoint');
  const endpoint = role.inputEndpoints[0]!;
  if (!endpoint.name || !endpoint.port) throw new ServiceModelError(`role ${role.name}: its InputEndpoint needs a name and a port`);

  const local = model.configurations.find((c) => c.file === LOCAL_CONFIGURATION_FILE);
  const configured = local?.roles.find((r) => r.name === role.name);
  if (!configured) throw new ServiceModelError(`${LOCAL_CONFIGURATION_FILE} has no role ${role.name}`);

  const commandLine = role.entryPoint?.commandLine;
  if (!commandLine) throw new ServiceModelError(`role ${role.name} has no ProgramEntryPoint commandLine`);
  // `node\node.exe dist\server\main.js ...`: the emulator runs the script with its own Node.
  const [, script, ...entryArgs] = splitCommandLine(commandLine);
  if (!script) throw new ServiceModelError(`role ${role.name}: the entry point "${commandLine}" names no script`);

  const probeDefinition = model.definition.probes.find((p) => p.name === endpoint.loadBalancerProbe);
  const probe: Probe | undefined = probeDefinition && {
    protocol: probeDefinition.protocol === 'tcp' ? 'tcp' : 'http',
    path: probeDefinition.path ?? '/',
    intervalMs: seconds(probeDefinition.intervalInSeconds, DEFAULT_PROBE_INTERVAL_S) * 1000,
    timeoutMs: seconds(probeDefinition.timeoutInSeconds, DEFAULT_PROBE_TIMEOUT_S) * 1000,
  };

  return {
    name: role.name,
    instanceCount: Number(configured.instances?.count ?? 1),
    endpoint: {
      name: endpoint.name,
      port: Number(endpoint.port),
      distribution: readEndpointDistribution(model.root, role.name, endpoint.name),
      idleTimeoutMs: seconds(endpoint.idleTimeoutInMinutes, DEFAULT_IDLE_MINUTES) * 60_000,
    },
    probe,
    environment: role.environment.flatMap(({ name, value, xpath }) => (name ? [{ name, value, xpath }] : [])),
    settings: new Map(configured.settings.flatMap(({ name, value }) => (name ? [[name, value ?? '']] : []))),
    roleFolder: join(model.root, role.name),
    entryScript: join(model.root, role.name, toRoleRelativePath(script)),
    entryArgs,
  };
}

function seconds(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
