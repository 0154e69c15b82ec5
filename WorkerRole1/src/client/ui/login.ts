import { setText } from '../dom.js';
import type { Elements } from '../elements.js';
import type { Sync } from '../sync.js';
import { nicknameProblem } from '../validation.js';

/**
 * The nickname form: client-side hints as you type (after a first attempt), the server's error
 * inline on submit, focus kept in the field. Returns the function that shows the form with an error.
 */
export function bindLogin(elements: Elements, sync: Sync): (error: string | null, nickname: string) => void {
  const { loginForm, nicknameInput, nicknameError, loginButton } = elements;
  let attempted = false;

  const showError = (message: string | null) => {
    setText(nicknameError, message ?? '');
    if (message) nicknameInput.setAttribute('aria-invalid', 'true');
    else nicknameInput.removeAttribute('aria-invalid');
  };

  nicknameInput.addEventListener('input', () => {
    if (attempted) showError(nicknameProblem(nicknameInput.value));
  });

  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    attempted = true;
    const problem = nicknameProblem(nicknameInput.value);
    if (problem) {
      showError(problem);
      nicknameInput.focus();
      return;
    }
    loginButton.disabled = true;
    setText(loginButton, 'Joining…');
    void sync
      .login(nicknameInput.value)
      .then((result) => {
        showError(result.ok ? null : result.error.message);
        if (!result.ok) {
          nicknameInput.focus();
          nicknameInput.select();
        }
      })
      .finally(() => {
        loginButton.disabled = false;
        setText(loginButton, 'Join chat');
      });
  });

  return (error, nickname) => {
    nicknameInput.value = nickname;
    showError(error);
    requestAnimationFrame(() => nicknameInput.focus());
  };
}
