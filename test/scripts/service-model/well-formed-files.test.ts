import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { copyService, edit, problemsAfter, problemsIn, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const DEFINITION = 'ServiceDefinition.csdef';

test('accepts the unchanged fixture, so every other test isolates its one change', () => {
  assert.deepEqual(problemsIn(copyService()), []);
});

test('rejects XML that is not well-formed, at the line of the bad markup', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, '</Endpoints>', '</Endpoint>')]), [
    'ServiceDefinition.csdef:14: not well-formed XML: Opening and ending tag mismatch: "Endpoints" != "Endpoint"',
  ]);
});

test('rejects an unquoted attribute value, which xmldom only warns about', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'port="80"', 'port=80')]), [
    'ServiceDefinition.csdef:13: not well-formed XML: attribute "80" missed quot(")!!',
  ]);
});

test('reports only the XML error of a broken file, not what the rules would make of it', () => {
  const problems = problemsAfter([
    edit('ServiceConfiguration.Cloud.cscfg', '<Role name="WorkerRole1">', '<Role name="WorkerRole1" name="again">'),
  ]);
  assert.deepEqual(problems, ['ServiceConfiguration.Cloud.cscfg:4: not well-formed XML: Attribute name redefined']);
});

test('rejects a csdef whose root element is not <ServiceDefinition>', () => {
  const problems = problemsAfter([
    edit(DEFINITION, '<ServiceDefinition name=', '<ServiceModel name='),
    edit(DEFINITION, '</ServiceDefinition>', '</ServiceModel>'),
  ]);
  assert.deepEqual(problems, ['ServiceDefinition.csdef:3: root element is <ServiceModel>, expected <ServiceDefinition>']);
});

test('rejects a cscfg in the wrong namespace', () => {
  const problems = problemsAfter([
    edit('ServiceConfiguration.Cloud.cscfg', '2008/10/ServiceConfiguration"', '2008/10/ServiceDefinition"'),
  ]);
  assert.deepEqual(problems, [
    'ServiceConfiguration.Cloud.cscfg:3: <ServiceConfiguration> has namespace http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition, expected xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration"',
  ]);
});

test('rejects a csdef with no namespace at all', () => {
  const problems = problemsAfter([
    edit(DEFINITION, ' xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition"', ''),
  ]);
  assert.deepEqual(problems, [
    'ServiceDefinition.csdef:3: <ServiceDefinition> has no namespace, expected xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition"',
  ]);
});

test('reports a missing Local cscfg by name', () => {
  const root = copyService({ setup: (root) => rmSync(join(root, 'ServiceConfiguration.Local.cscfg')) });
  assert.deepEqual(problemsIn(root), [`ServiceConfiguration.Local.cscfg: missing: expected it in ${root}`]);
});

test('validates any other ServiceConfiguration.*.cscfg beside Cloud and Local', () => {
  const root = copyService({
    setup: (root) =>
      writeFileSync(
        join(root, 'ServiceConfiguration.Staging.cscfg'),
        '<ServiceConfiguration serviceName="chatapp" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration" osFamily="7">\n</ServiceConfiguration>\n',
      ),
  });
  assert.deepEqual(problemsIn(root), [
    'ServiceConfiguration.Staging.cscfg:1: no <Role name="WorkerRole1">; every role in ServiceDefinition.csdef (line 7) needs one',
  ]);
});
