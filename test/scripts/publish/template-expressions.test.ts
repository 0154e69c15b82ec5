import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsupportedExpression } from '../../../scripts/infra/arm-expression-parser.js';
import { evaluateValue } from '../../../scripts/infra/arm-expressions.js';
import { declaredResources, parameterValues } from '../../../scripts/publish/app-service/template-resources.js';

const context = {
  parameters: { name: 'Chat-App-Demo-With-A-Long-Name', instanceCount: 2, settings: { a: { b: 'deep' } }, list: ['x', 'y'] },
  variables: { planName: "[format('{0}-plan', parameters('name'))]", useRedis: "[greater(parameters('instanceCount'), 1)]", loop: "[variables('loop')]" },
  subscriptionId: '11111111-2222-3333-4444-555555555555',
  resourceGroup: 'rg-chat',
};
const evaluate = (value: unknown) => evaluateValue(value, context);

describe('the ARM expression evaluator behind --dry-run', () => {
  it('evaluates what Bicep emits for names: format, toLower, replace, take, variables, string interpolation', () => {
    assert.equal(evaluate("[format('{0}hist', take(replace(toLower(parameters('name')), '-', ''), 20))]"), 'chatappdemowithalong' + 'hist');
    assert.equal(evaluate("[variables('planName')]"), 'Chat-App-Demo-With-A-Long-Name-plan');
    assert.equal(evaluate("[format('{0}/{1}', variables('planName'), 'default')]"), 'Chat-App-Demo-With-A-Long-Name-plan/default');
    assert.equal(evaluate("[concat('a', parameters('instanceCount'), toUpper('b'))]"), 'a2B');
    assert.equal(evaluate("[string(parameters('instanceCount'))]"), '2');
    assert.equal(evaluate("[take('abc', 0)]"), '');
  });

  it('reads literals as ARM does: quotes doubled inside strings, [[ escapes, plain values unchanged', () => {
    assert.equal(evaluate("['it''s']"), "it's");
    assert.equal(evaluate('[[not an expression]'), '[not an expression]');
    assert.equal(evaluate('plain'), 'plain');
    assert.equal(evaluate(42), 42);
    assert.deepEqual(evaluate({ value: "[parameters('instanceCount')]", list: ["[toLower('A')]"] }), { value: 2, list: ['a'] });
  });

  it('evaluates conditions: comparisons, not/and/or, and if() taking only its branch', () => {
    assert.equal(evaluate("[variables('useRedis')]"), true);
    assert.equal(evaluate("[and(greater(parameters('instanceCount'), 1), not(equals(parameters('instanceCount'), 3)))]"), true);
    assert.equal(evaluate("[or(less(parameters('instanceCount'), 1), lessOrEquals(2, 1))]"), false);
    assert.equal(evaluate("[if(greaterOrEquals(parameters('instanceCount'), 2), 'many', guid('never evaluated'))]"), 'many');
  });

  it('follows property access and indexes, and resourceId() within a known subscription and group', () => {
    assert.equal(evaluate("[parameters('settings').a.b]"), 'deep');
    assert.equal(evaluate("[parameters('list')[1]]"), 'y');
    assert.equal(
      evaluate("[resourceId('Microsoft.Cache/redisEnterprise/databases', 'r', 'default')]"),
      '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-chat/providers/Microsoft.Cache/redisEnterprise/r/databases/default',
    );
    assert.equal(evaluate("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg')]"), '/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Resources/resourceGroups/rg');
  });

  it('refuses, rather than guesses, what only Azure knows or what it cannot parse', () => {
    for (const expression of ["[guid('a')]", "[uniqueString(subscription().id)]", "[reference('x').hostName]", "[parameters('missing')]", "[variables('loop')]", "[format('{0}', parameters('settings'))]", "[toLower('a']", "[toLower('a') extra]"]) {
      assert.throws(() => evaluate(expression), UnsupportedExpression, expression);
    }
  });
});

describe('the same evaluator, as the infra tests use it on the whole template', () => {
  it('merges and maps objects as Bicep emits for app settings: union, items in key order, map over a lambda, createObject', () => {
    const settings = "[map(items(union(createObject('b', '1', 'a', '2'), createObject('b', '3'))), lambda('item', createObject('name', lambdaVariables('item').key, 'value', lambdaVariables('item').value)))]";
    assert.deepEqual(evaluate(settings), [{ name: 'a', value: '2' }, { name: 'b', value: '3' }]);
  });

  it('asks the caller for what only a deployment knows, and still refuses it when the caller gives no answer', () => {
    const functions = { reference: ([id]: unknown[]) => ({ hostName: `${String(id)}.example` }) };
    assert.equal(evaluateValue("[reference('x').hostName]", { ...context, functions }), 'x.example');
    assert.throws(() => evaluateValue("[guid('a')]", { ...context, functions }), UnsupportedExpression);
    assert.equal(evaluateValue("[format('{0}', 'built in wins')]", { ...context, functions: { format: () => 'supplied' } }), 'built in wins');
  });
});

describe('the resources a template declares', () => {
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
    parameters: { name: { type: 'string' }, resourceGroupName: { type: 'string', defaultValue: "[format('rg-{0}', parameters('name'))]" }, secret: { type: 'secureObject', defaultValue: {} } },
    resources: [
      { type: 'Microsoft.Resources/resourceGroups', name: "[parameters('resourceGroupName')]" },
      {
        type: 'Microsoft.Resources/deployments',
        name: 'resources',
        resourceGroup: "[parameters('resourceGroupName')]",
        properties: {
          expressionEvaluationOptions: { scope: 'inner' },
          parameters: { stem: { value: "[parameters('name')]" }, count: { value: 1 } },
          template: {
            parameters: { stem: { type: 'string' }, count: { type: 'int' } },
            variables: { many: "[greater(parameters('count'), 1)]" },
            // languageVersion 2.0: resources keyed by symbolic name.
            resources: {
              redis: { type: 'Microsoft.Cache/redisEnterprise', name: "[format('{0}-redis', parameters('stem'))]", condition: "[variables('many')]" },
              role: { type: 'Microsoft.Authorization/roleAssignments', name: "[guid(parameters('stem'))]", scope: "[resourceId('Microsoft.Cache/redisEnterprise', format('{0}-redis', parameters('stem')))]" },
            },
          },
        },
      },
    ],
  };

  it('resolves names with defaults, through a module\'s own parameters, marking conditions and what Azure names', () => {
    const values = parameterValues(template, { name: 'chat' });
    assert.deepEqual(values, { name: 'chat', resourceGroupName: 'rg-chat', secret: {} });
    assert.deepEqual(declaredResources(template, values, { subscriptionId: 'sub' }), [
      { type: 'Microsoft.Resources/resourceGroups', name: 'rg-chat', resolved: true, depth: 0 },
      { type: 'Microsoft.Resources/deployments', name: 'resources', resolved: true, depth: 0, resourceGroup: 'rg-chat' },
      { type: 'Microsoft.Cache/redisEnterprise', name: 'chat-redis', resolved: true, depth: 1, resourceGroup: 'rg-chat', condition: { when: 'count > 1', deployed: false } },
      { type: 'Microsoft.Authorization/roleAssignments', name: "guid(parameters('stem'))", resolved: false, depth: 1, resourceGroup: 'rg-chat', scope: 'Microsoft.Cache/redisEnterprise/chat-redis' },
    ]);
  });
});
