/**
 * Addresses a reader copies or prints (iframe snippets, the site's BibTeX, the
 * handout's links) are written at build time with the configured origin, which need
 * not be where the site is served: put in the page's real origin. Also wires the
 * Copy buttons of CodeToCopy blocks (hidden until this script runs).
 */
function localiseAddresses(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-build-origin]')) {
    const from = el.dataset.buildOrigin;
    if (from && from !== location.origin && el.textContent?.includes(from)) el.textContent = el.textContent.replaceAll(from, location.origin);
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-absolute-href]')) {
    const a = el.closest('a');
    if (a) el.textContent = a.href;
  }
}

function wireCopyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    if (button.dataset.wired) continue;
    button.dataset.wired = '1';
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = document.getElementById(button.dataset.copy ?? '')?.textContent ?? '';
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied';
      } catch {
        button.textContent = 'Select and copy by hand';
      }
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
  }
}

localiseAddresses();
wireCopyButtons();
