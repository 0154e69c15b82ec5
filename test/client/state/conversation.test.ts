import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConversation, lastSeenId, mergeMessages, reviseMessage } from '../../../WorkerRole1/src/client/state/conversation.js';

const message = (id: string, from: string, clientId?: string) => ({ id, from, text: `text of ${id}`, ts: 0, ...(clientId ? { clientId } : {}) });

describe('a conversation merging messages', () => {
  it('keeps messages in id order whatever order they arrive in, and each id once', () => {
    const conversation = createConversation('room', 'lobby');
    mergeMessages(conversation, [message('01B', 'ann'), message('01D', 'bob')]);
    const added = mergeMessages(conversation, [message('01A', 'ann'), message('01C', 'bob'), message('01B', 'ann')]);
    assert.deepEqual(added.map((m) => m.id), ['01A', '01C']);
    assert.deepEqual(conversation.messages.map((m) => m.id), ['01A', '01B', '01C', '01D']);
    assert.equal(lastSeenId(conversation), '01D');
  });

  it('shows a resend that arrives again under a new id once: same sender, same clientId', () => {
    const conversation = createConversation('room', 'lobby');
    mergeMessages(conversation, [message('01A', 'Ann', 'c-1')]);
    assert.deepEqual(mergeMessages(conversation, [message('01B', 'ann', 'c-1')]), []);
    assert.deepEqual(conversation.messages.map((m) => m.id), ['01A']);
  });

  it('keeps messages of different senders that happen to share a clientId', () => {
    const conversation = createConversation('room', 'lobby');
    mergeMessages(conversation, [message('01A', 'ann', 'same'), message('01B', 'bob', 'same')]);
    assert.equal(conversation.messages.length, 2);
  });
});

describe('a conversation taking edits and deletes', () => {
  it('keeps the newest version of a message by editedTs, whichever order the versions arrive in', () => {
    const conversation = createConversation('room', 'lobby');
    mergeMessages(conversation, [message('01A', 'ann')]);
    assert.equal(reviseMessage(conversation, { ...message('01A', 'ann'), text: 'second', editedTs: 20 }), true);
    assert.equal(reviseMessage(conversation, { ...message('01A', 'ann'), text: 'first', editedTs: 10 }), false);
    // A history page that still holds the first edit does not undo the second either.
    assert.deepEqual(mergeMessages(conversation, [{ ...message('01A', 'ann'), text: 'first', editedTs: 10 }]), []);
    assert.equal(conversation.messages[0]!.text, 'second');
  });

  it('keeps a deleted message deleted, without its text, whatever arrives after', () => {
    const conversation = createConversation('room', 'lobby');
    mergeMessages(conversation, [message('01A', 'ann')]);
    reviseMessage(conversation, { ...message('01A', 'ann'), text: '', editedTs: 5, deleted: true });
    assert.equal(reviseMessage(conversation, { ...message('01A', 'ann'), text: 'resurrected', editedTs: 9 }), false);
    assert.deepEqual(conversation.messages[0], { id: '01A', from: 'ann', text: '', ts: 0, editedTs: 5, deleted: true });
  });

  it('ignores a change of a message it does not hold', () => {
    const conversation = createConversation('room', 'lobby');
    assert.equal(reviseMessage(conversation, { ...message('01Z', 'ann'), editedTs: 1 }), false);
    assert.deepEqual(conversation.messages, []);
  });
});
