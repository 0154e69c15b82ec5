/**
 * The service model as the rules see it: what the csdef and each cscfg say, with the line each
 * part starts on. Attribute values stay the raw strings from the file (undefined when absent) so a
 * rule can quote exactly what is wrong.
 */

export interface ServiceDefinition {
  file: string;
  /** Line of the root element. */
  line: number;
  name: string | undefined;
  probes: LoadBalancerProbe[];
  roles: RoleDefinition[];
}

export interface LoadBalancerProbe {
  line: number;
  name: string | undefined;
  protocol: string | undefined;
  path: string | undefined;
  port: string | undefined;
  intervalInSeconds: string | undefined;
  timeoutInSeconds: string | undefined;
}

export type RoleKind = 'WorkerRole' | 'WebRole';

export interface RoleDefinition {
  kind: RoleKind;
  line: number;
  name: string | undefined;
  vmsize: string | undefined;
  /** Line of <ConfigurationSettings>, when present. */
  settingsLine: number | undefined;
  settings: DeclaredSetting[];
  inputEndpoints: InputEndpoint[];
  startupTasks: StartupTask[];
  /** Line of <Runtime>, when present. */
  runtimeLine: number | undefined;
  /** Line of <Runtime><Environment>, when present. */
  environmentLine: number | undefined;
  /** What Azure puts into the entry point's environment. */
  environment: EnvironmentVariable[];
  entryPoint: ProgramEntryPoint | undefined;
}

export interface DeclaredSetting {
  line: number;
  name: string | undefined;
}

export interface InputEndpoint {
  line: number;
  name: string | undefined;
  protocol: string | undefined;
  port: string | undefined;
  localPort: string | undefined;
  loadBalancerProbe: string | undefined;
  idleTimeoutInMinutes: string | undefined;
}

export interface StartupTask {
  line: number;
  commandLine: string | undefined;
  executionContext: string | undefined;
  taskType: string | undefined;
  environment: EnvironmentVariable[];
}

/** `<Variable name value>` or `<Variable name><RoleInstanceValue xpath/></Variable>`. */
export interface EnvironmentVariable {
  line: number;
  name: string | undefined;
  value: string | undefined;
  xpath: string | undefined;
}

export interface ProgramEntryPoint {
  line: number;
  commandLine: string | undefined;
  setReadyOnProcessStart: string | undefined;
}

export interface ServiceConfiguration {
  file: string;
  line: number;
  serviceName: string | undefined;
  osFamily: string | undefined;
  osVersion: string | undefined;
  roles: RoleConfiguration[];
  network: NetworkConfiguration | undefined;
}

export interface RoleConfiguration {
  line: number;
  name: string | undefined;
  instances: { line: number; count: string | undefined } | undefined;
  /** Line of <ConfigurationSettings>, when present. */
  settingsLine: number | undefined;
  settings: ValuedSetting[];
}

export interface ValuedSetting {
  line: number;
  name: string | undefined;
  value: string | undefined;
}

export interface NetworkConfiguration {
  line: number;
  virtualNetworkSite: { line: number; name: string | undefined } | undefined;
  /** Line of <AddressAssignments>, when present. */
  addressAssignmentsLine: number | undefined;
  instanceAddresses: InstanceAddress[];
}

export interface InstanceAddress {
  line: number;
  roleName: string | undefined;
  subnets: { line: number; name: string | undefined }[];
}

/** Everything the rules check, plus where it lives on disk. */
export interface ServiceModel {
  /** Absolute path of the folder holding the csdef; role folders are beside it. */
  root: string;
  definition: ServiceDefinition;
  configurations: ServiceConfiguration[];
}
