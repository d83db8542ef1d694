/**
 * Embeds that size themselves: an /embed/<widget>/ page inside an <iframe> posts its
 * height to the parent page on every resize (a widget grows after a run: the model
 * pruner from about 1100 to 2650 px), and the snippet the teachers' chapter gives
 * includes the few lines that listen for it, so a course page shows the whole widget
 * with no scroll bar inside the frame.
 *
 * The message is `{ type: EMBED_HEIGHT_MESSAGE, widget, height }`. The height is not a
 * secret, so it is posted to any parent ('*'); the listener trusts it only from the
 * site's origin, in that shape, and applies it only to the frame that sent it.
 */

export const EMBED_HEIGHT_MESSAGE = 'pruning-attention:embed-height';
/** Heights outside (0, this] are ignored: a message can never make a frame absurdly tall. */
export const EMBED_MAX_HEIGHT = 20_000;

export interface EmbedHeightMessage {
  type: typeof EMBED_HEIGHT_MESSAGE;
  widget: string;
  height: number;
}

export function embedHeightMessage(widget: string, height: number): EmbedHeightMessage {
  return { type: EMBED_HEIGHT_MESSAGE, widget, height: Math.ceil(height) };
}

/**
 * The listener of the iframe snippet, as the one-line script a teacher pastes. It checks
 * the sender's origin, the message's shape and the height's range, and sizes only the
 * iframe whose window sent it (a page may embed several widgets; pasting the script
 * twice is harmless).
 */
export function embedListenerScript(origin: string): string {
  const o = JSON.stringify(origin);
  const t = JSON.stringify(EMBED_HEIGHT_MESSAGE);
  return (
    `<script>addEventListener("message", (e) => { const m = e.data; ` +
    `if (e.origin !== ${o} || !m || m.type !== ${t} || typeof m.height !== "number" || !(m.height > 0 && m.height <= ${EMBED_MAX_HEIGHT})) return; ` +
    `for (const f of document.getElementsByTagName("iframe")) if (f.contentWindow === e.source) f.style.height = Math.ceil(m.height) + "px"; });</script>`
  );
}
