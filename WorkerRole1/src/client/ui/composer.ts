import { setText } from '../dom.js';
import type { Elements } from '../elements.js';
import type { Outbox } from '../outbox.js';
import type { LogView } from '../render/log.js';
import type { Store } from '../state/store.js';
import type { TypingSender } from '../typing.js';
import { messageProblem } from '../validation.js';

/**
 * The message box: Enter sends, Shift+Enter adds a line (and IME composition is left alone);
 * a message goes to the outbox, so typing while offline just queues it.
 */
export function bindComposer(elements: Elements, store: Store, outbox: Outbox, typing: TypingSender, log: LogView): void {
  const { composer, composerInput, composerError } = elements;

  const activeRoom = () => (store.active?.kind === 'room' ? store.active.name : null);

  composerInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  composerInput.addEventListener('input', () => {
    const text = composerInput.value;
    typing.input(activeRoom(), text.trim().length > 0);
    // Only the length limit is worth flagging while typing; blank is reported on send.
    setText(composerError, text.trim().length > 0 ? (messageProblem(text) ?? '') : '');
  });

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const conversation = store.active;
    if (!conversation) return;
    const text = composerInput.value;
    const problem = messageProblem(text);
    if (problem) {
      setText(composerError, text.trim().length === 0 ? '' : problem);
      return;
    }
    setText(composerError, '');
    outbox.enqueue(conversation, text.replace(/^(?:[ \t]*\n)+/, '').trimEnd());
    composerInput.value = '';
    typing.stop();
    log.stickToBottom();
    composerInput.focus();
  });
}
