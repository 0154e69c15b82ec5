import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainDeploymentFailure } from '../../../scripts/publish/app-service/deployment-errors.js';
import { explainError, policyNames, storageAccountError } from '../../../scripts/publish/errors.js';

const context = { subscription: 'sub', resourceGroup: 'chat-rg', name: 'chatapp-test', storageAccount: 'chatdeploy' };
const restError = (statusCode: number, code: string, message: string) => Object.assign(new Error(message), { name: 'RestError', statusCode, code });

describe('errors name the cause and the fix', () => {
  it('a 403 from Blob storage asks for the data role on the storage account', () => {
    const explained = explainError(restError(403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.'), context);
    assert.match(explained.problem, /^missing permission \(HTTP 403 AuthorizationPermissionMismatch\)/);
    assert.match(explained.fix, /"Storage Blob Data Contributor" role on storage account chatdeploy/);
  });

  it('a missing resource group says how to create it', () => {
    const explained = explainError(restError(404, 'ResourceGroupNotFound', "Resource group 'chat-rg' could not be found."), context);
    assert.equal(explained.problem, 'resource group chat-rg does not exist');
    assert.match(explained.fix, /az group create --name chat-rg/);
  });

  it('an unregistered provider says which to register', () => {
    const explained = explainError(restError(409, 'MissingSubscriptionRegistration', "The subscription is not registered to use namespace 'Microsoft.Compute'."), context);
    assert.match(explained.fix, /az provider register --namespace Microsoft.Compute/);
  });

  it('a storage account whose name does not resolve (DNS) says why that can be and what to do', () => {
    const explained = explainError(restError(0, 'REQUEST_SEND_ERROR', 'getaddrinfo ENOTFOUND chatdeploy.blob.core.windows.net'), context);
    assert.equal(explained.problem, 'storage account chatdeploy: chatdeploy.blob.core.windows.net does not resolve');
    assert.match(explained.fix, /if publish created the account just now, .*run publish again/);
  });

  it('an expired or foreign sign-in says to sign in again', () => {
    const error = Object.assign(new Error('AADSTS700082: The refresh token has expired'), { name: 'AuthenticationError' });
    assert.match(explainError(error, context).fix, /az login/);
  });

  it('for App Service, an unregistered provider names Microsoft.Web and a 409 names the global host name', () => {
    const appService = { ...context, target: 'appservice' as const };
    assert.match(explainError(restError(409, 'MissingSubscriptionRegistration', "The subscription is not registered to use namespace 'Microsoft.Web'."), appService).fix, /az provider register --namespace Microsoft\.Web/);
    assert.match(explainError(restError(409, 'Conflict', 'Website with given name chatapp-test already exists.'), appService).fix, /"chatapp-test\.azurewebsites\.net" belongs to another app/);
    assert.doesNotMatch(explainError(restError(403, 'AuthorizationFailed', 'no access to Microsoft.Web/sites/write on storage'), appService).fix, /Storage Blob/);
  });

  it('a policy denial names the policy, from the message Azure writes or from additionalInfo', () => {
    const inMessage = restError(403, 'RequestDisallowedByPolicy', `Resource 'chat-vnet' was disallowed by policy. Policy identifiers: '[{"policyAssignment":{"name":"No public IPs","id":"/x"},"policyDefinition":{"name":"Deny public IP","id":"/y"}}]'.`);
    assert.equal(policyNames(inMessage), 'policy "No public IPs", "Deny public IP"');
    assert.equal(explainError(inMessage, context).problem, 'Azure Policy refused chat-vnet: policy "No public IPs", "Deny public IP"');
    const inDetails = Object.assign(restError(403, 'RequestDisallowedByPolicy', 'Resource was disallowed by policy.'), {
      details: { error: { additionalInfo: [{ type: 'PolicyViolation', info: { policyAssignmentDisplayName: 'Deny storage shared key', policyAssignmentName: 'abc' } }] } },
    });
    assert.equal(policyNames(inDetails), 'policy "Deny storage shared key"');
    const storage = storageAccountError(inDetails, { account: 'chatdeploy', resourceGroup: 'chat-rg', location: 'westeurope' });
    assert.match(storage.problem, /^storage account chatdeploy refused by Azure Policy: policy "Deny storage shared key"\. Publish keeps shared-key access/);
    assert.match(storage.fix, /--target appservice/);
  });

  it('a storage error publish has no special words for falls back to the general explanation', () => {
    const explained = storageAccountError(restError(404, 'ResourceGroupNotFound', "Resource group 'chat-rg' could not be found."), { account: 'chatdeploy', resourceGroup: 'chat-rg', location: 'westeurope' });
    assert.equal(explained.problem, 'resource group chat-rg does not exist');
  });
});

describe('a failed template deployment, explained per resource', () => {
  const declared = [{ type: 'Microsoft.Storage/storageAccounts', name: 'chatapptesthist' }];

  it('looks through DeploymentFailed wrappers to the cause, and names the type of a resource Azure gave by name only', () => {
    const explained = explainDeploymentFailure({
      deployment: 'chatapp-x',
      failed: [],
      declared,
      error: {
        code: 'DeploymentFailed',
        message: 'At least one resource deployment operation failed.',
        details: [{ code: 'ResourceDeploymentFailure', message: 'terminal state Failed', details: [{ code: 'StorageAccountAlreadyTaken', target: 'chatapptesthist', message: 'The storage account named chatapptesthist is already taken.' }] }],
      },
    });
    assert.match(explained.problem, /^deployment chatapp-x failed:\n {4}resource Microsoft\.Storage\/storageAccounts chatapptesthist: the name is taken/);
    assert.match(explained.fix, /az deployment operation sub list --name chatapp-x/);
  });

  it('finds the policy assignment in a message that quotes its JSON escaped', () => {
    const explained = explainDeploymentFailure({
      deployment: 'chatapp-x',
      failed: [{ type: 'Microsoft.Storage/storageAccounts', name: 'chatapptesthist', error: { code: 'RequestDisallowedByPolicy', message: String.raw`Resource 'chatapptesthist' was disallowed by policy. Policy identifiers: '[{\"policyAssignment\":{\"name\":\"No shared keys\",\"id\":\"/x\"}}]'.` } }],
      error: { code: 'DeploymentFailed' },
    });
    assert.match(explained.problem, /refused by Azure Policy \(assignment "No shared keys"\)/);
  });

  it('keeps an unknown cause as Azure said it, and one line per resource even when Azure repeats itself', () => {
    const failure = { type: 'Microsoft.Web/sites', name: 'chatapp-x', error: { code: 'InternalServerError', message: 'Something went wrong. Try again later. More text here.' } };
    const explained = explainDeploymentFailure({ deployment: 'chatapp-x', failed: [failure, failure], error: { code: 'DeploymentFailed' } });
    assert.equal(explained.problem.split('\n').length, 2);
    assert.match(explained.problem, /resource Microsoft\.Web\/sites chatapp-x: InternalServerError: Something went wrong\. Try again later\.; fix: see Azure's message/);
  });
});
