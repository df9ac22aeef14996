/**
 * Calls to the daemon's API. With `api.auth_token` set, the first 401 asks
 * for the token once; it is kept in sessionStorage (this tab's session only)
 * and sent as a bearer token from then on.
 */
import { h, replace } from './dom.js';

const TOKEN_KEY = 'heapwatch.token';

export class Unauthorized extends Error {}

function headers(): HeadersInit {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new Error(`${res.status} ${body.code ?? ''} ${body.message ?? res.statusText}`.trim());
  }
  return (await res.json()) as T;
}

export async function getBlob(path: string): Promise<Blob> {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.blob();
}

/** Saves a file fetched with the token (a plain link could not send it). */
export async function download(path: string, file: string): Promise<void> {
  const url = URL.createObjectURL(await getBlob(path));
  const a = h('a', { href: '/', download: file });
  a.href = url;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Replaces the page with a token form; resolves after the token is stored. */
export function askForToken(root: Element, wrong: boolean): Promise<void> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'api.auth_token' });
    const form = h(
      'form',
      { class: 'token-form' },
      h('h1', {}, 'heapwatch'),
      h('p', {}, wrong ? 'That token was refused. ' : '', 'This daemon needs its API token (api.auth_token). It is kept for this browser tab only.'),
      input,
      h('button', { type: 'submit' }, 'Use token'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      resolve();
    });
    replace(root, form);
    input.focus();
  });
}

export function hadToken(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}
