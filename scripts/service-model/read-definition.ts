import type { Element } from '@xmldom/xmldom';
import type {
  EnvironmentVariable,
  InputEndpoint,
  LoadBalancerProbe,
  ProgramEntryPoint,
  RoleDefinition,
  RoleKind,
  ServiceDefinition,
  StartupTask,
} from './model.js';
import { attribute, childElement, childElements, descendant, lineOf } from './xml-document.js';

const ROLE_KINDS: readonly RoleKind[] = ['WorkerRole', 'WebRole'];

/** The csdef's `<ServiceDefinition>` element as a model; the root element is already checked. */
export function readDefinition(file: string, root: Element): ServiceDefinition {
  return {
    file,
    line: lineOf(root),
    name: attribute(root, 'name'),
    probes: childElements(root, 'LoadBalancerProbes').flatMap((probes) =>
      childElements(probes, 'LoadBalancerProbe').map(readProbe),
    ),
    roles: ROLE_KINDS.flatMap((kind) => childElements(root, kind).map((role) => readRole(kind, role))),
  };
}

function readProbe(probe: Element): LoadBalancerProbe {
  return {
    line: lineOf(probe),
    name: attribute(probe, 'name'),
    protocol: attribute(probe, 'protocol'),
    path: attribute(probe, 'path'),
    port: attribute(probe, 'port'),
    intervalInSeconds: attribute(probe, 'intervalInSeconds'),
    timeoutInSeconds: attribute(probe, 'timeoutInSeconds'),
  };
}

function readRole(kind: RoleKind, role: Element): RoleDefinition {
  const settings = childElement(role, 'ConfigurationSettings');
  const runtime = childElement(role, 'Runtime');
  const environment = runtime && childElement(runtime, 'Environment');
  return {
    kind,
    line: lineOf(role),
    name: attribute(role, 'name'),
    vmsize: attribute(role, 'vmsize'),
    settingsLine: settings && lineOf(settings),
    settings: (settings ? childElements(settings, 'Setting') : []).map((setting) => ({
      line: lineOf(setting),
      name: attribute(setting, 'name'),
    })),
    inputEndpoints: childElements(role, 'Endpoints').flatMap((endpoints) =>
      childElements(endpoints, 'InputEndpoint').map(readInputEndpoint),
    ),
    startupTasks: childElements(role, 'Startup').flatMap((startup) => childElements(startup, 'Task').map(readTask)),
    runtimeLine: runtime && lineOf(runtime),
    environmentLine: environment && lineOf(environment),
    environment: environment ? readVariables(environment) : [],
    entryPoint: readEntryPoint(runtime),
  };
}

function readInputEndpoint(endpoint: Element): InputEndpoint {
  return {
    line: lineOf(endpoint),
    name: attribute(endpoint, 'name'),
    protocol: attribute(endpoint, 'protocol'),
    port: attribute(endpoint, 'port'),
    localPort: attribute(endpoint, 'localPort'),
    loadBalancerProbe: attribute(endpoint, 'loadBalancerProbe'),
    idleTimeoutInMinutes: attribute(endpoint, 'idleTimeoutInMinutes'),
  };
}

function readTask(task: Element): StartupTask {
  const environment = childElement(task, 'Environment');
  return {
    line: lineOf(task),
    commandLine: attribute(task, 'commandLine'),
    executionContext: attribute(task, 'executionContext'),
    taskType: attribute(task, 'taskType'),
    environment: environment ? readVariables(environment) : [],
  };
}

function readVariables(environment: Element): EnvironmentVariable[] {
  return childElements(environment, 'Variable').map((variable) => {
    const roleInstanceValue = childElement(variable, 'RoleInstanceValue');
    return {
      line: lineOf(variable),
      name: attribute(variable, 'name'),
      value: attribute(variable, 'value'),
      xpath: roleInstanceValue && attribute(roleInstanceValue, 'xpath'),
    };
  });
}

function readEntryPoint(runtime: Element | undefined): ProgramEntryPoint | undefined {
  const program = runtime && descendant(runtime, 'EntryPoint', 'ProgramEntryPoint');
  if (!program) return undefined;
  return {
    line: lineOf(program),
    commandLine: attribute(program, 'commandLine'),
    setReadyOnProcessStart: attribute(program, 'setReadyOnProcessStart'),
  };
}
