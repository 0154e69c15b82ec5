import type { RoleConfiguration, RoleDefinition, ServiceConfiguration, ServiceModel } from '../model.js';

export interface ConfiguredRole {
  definition: RoleDefinition;
  configuration: ServiceConfiguration;
  role: RoleConfiguration;
}

/**
 * Each csdef role with its `<Role>` in each cscfg, matched by name. Roles that exist on one side
 * only are left out here; the roles rule reports them.
 */
export function configuredRoles(model: ServiceModel): ConfiguredRole[] {
  return model.configurations.flatMap((configuration) =>
    model.definition.roles.flatMap((definition) => {
      const role = configuration.roles.find((candidate) => candidate.name !== undefined && candidate.name === definition.name);
      return role ? [{ definition, configuration, role }] : [];
    }),
  );
}
