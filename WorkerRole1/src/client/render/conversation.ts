import { LOBBY } from '../../shared/protocol.js';
import { setText } from '../dom.js';
import { typingLine } from '../format.js';
import type { Conversation } from '../state/conversation.js';

export interface ConversationElements {
  title: HTMLElement;
  subtitle: HTMLElement;
  leaveButton: HTMLButtonElement;
  loadOlder: HTMLButtonElement;
  typing: HTMLElement;
  composerInput: HTMLTextAreaElement;
}

/** The header of the open conversation, its "load earlier" button and the typing line. */
export function renderConversation(elements: ConversationElements, conversation: Conversation, typingNames: string[]): void {
  const isRoom = conversation.kind === 'room';
  setText(elements.title, isRoom ? `#${conversation.name}` : conversation.name);
  setText(
    elements.subtitle,
    isRoom
      ? `${conversation.members.count.toLocaleString()} online`
      : 'Private conversation: only the two of you see these messages',
  );
  elements.leaveButton.hidden = isRoom && conversation.name === LOBBY;
  setText(elements.leaveButton, isRoom ? 'Leave room' : 'Close');
  elements.leaveButton.setAttribute(
    'aria-label',
    isRoom ? `Leave #${conversation.name}` : `Close the conversation with ${conversation.name}`,
  );

  elements.loadOlder.hidden = !conversation.hasOlder;
  elements.loadOlder.disabled = conversation.loadingOlder;
  setText(elements.loadOlder, conversation.loadingOlder ? 'Loading…' : 'Load earlier messages');

  setText(elements.typing, typingLine(typingNames));
  const placeholder = isRoom ? `Message #${conversation.name}` : `Message ${conversation.name}`;
  if (elements.composerInput.placeholder !== placeholder) elements.composerInput.placeholder = placeholder;
}
