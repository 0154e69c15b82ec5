import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const DEFINITION = 'ServiceDefinition.csdef';

test("rejects a probe interval below Azure's 5 second minimum", () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'intervalInSeconds="5"', 'intervalInSeconds="4"')]), [
    'ServiceDefinition.csdef:5: probe HealthProbe intervalInSeconds "4" is below Azure\'s minimum of 5 seconds',
  ]);
});

test("rejects a probe timeout below Azure's 11 second minimum", () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'timeoutInSeconds="11"', 'timeoutInSeconds="10"')]), [
    'ServiceDefinition.csdef:5: probe HealthProbe timeoutInSeconds "10" is below Azure\'s minimum of 11 seconds',
  ]);
});

test('rejects a probe interval that is not a whole number', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'intervalInSeconds="5"', 'intervalInSeconds="5s"')]), [
    'ServiceDefinition.csdef:5: probe HealthProbe intervalInSeconds "5s" is not a whole number of seconds',
  ]);
});

test('rejects an http probe without a path', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, ' path="/healthz"', '')]), [
    'ServiceDefinition.csdef:5: probe HealthProbe is http but has no path; Azure needs the path to request (it expects 200)',
  ]);
});

test('rejects a tcp probe with a path', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'protocol="http" path=', 'protocol="tcp" path=')]), [
    'ServiceDefinition.csdef:5: probe HealthProbe is tcp but has path "/healthz"; a tcp probe only opens a connection, so remove the path or use protocol="http"',
  ]);
});

test('accepts a tcp probe without a path', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'protocol="http" path="/healthz"', 'protocol="tcp"')]), []);
});

test('rejects an endpoint that names an undeclared probe', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'loadBalancerProbe="HealthProbe"', 'loadBalancerProbe="Health"')]), [
    'ServiceDefinition.csdef:13: endpoint HttpIn uses probe "Health", which is not declared under <LoadBalancerProbes>',
  ]);
});
