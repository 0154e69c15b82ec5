import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { edit, problemsAfter, removeServiceCopies } from '../service-copy.js';

after(removeServiceCopies);

const DEFINITION = 'ServiceDefinition.csdef';
const ENDPOINT = '<InputEndpoint name="HttpIn" protocol="tcp" port="80"';

/** Adds an input endpoint on the line after HttpIn (line 14). */
function addEndpoint(attributes: string) {
  return edit(DEFINITION, '    </Endpoints>', `      <InputEndpoint ${attributes} />\n    </Endpoints>`);
}

test('rejects an endpoint port of 0', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, ENDPOINT, ENDPOINT.replace('port="80"', 'port="0"'))]), [
    'ServiceDefinition.csdef:13: endpoint HttpIn port "0" is not a port number from 1 to 65535',
  ]);
});

test('rejects an endpoint port above 65535', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, ENDPOINT, ENDPOINT.replace('port="80"', 'port="65536"'))]), [
    'ServiceDefinition.csdef:13: endpoint HttpIn port "65536" is not a port number from 1 to 65535',
  ]);
});

test('rejects two endpoints with the same name in a role', () => {
  assert.deepEqual(problemsAfter([addEndpoint('name="HttpIn" protocol="tcp" port="443"')]), [
    'ServiceDefinition.csdef:14: endpoint name HttpIn is used twice in role WorkerRole1 (first at line 13)',
  ]);
});

test('rejects two endpoints on the same port', () => {
  assert.deepEqual(problemsAfter([addEndpoint('name="Admin" protocol="tcp" port="80"')]), [
    'ServiceDefinition.csdef:14: endpoint Admin port 80 is already used by endpoint HttpIn (line 13); input endpoint ports must be unique',
  ]);
});

test('rejects an idle timeout outside the load balancer\'s 4 to 30 minutes', () => {
  assert.deepEqual(problemsAfter([edit(DEFINITION, 'idleTimeoutInMinutes="10"', 'idleTimeoutInMinutes="2"')]), [
    'ServiceDefinition.csdef:13: endpoint HttpIn idleTimeoutInMinutes "2" is outside Azure\'s 4 to 30 minutes',
  ]);
});
