/**
 * On an /embed/<widget>/ page shown in an <iframe>: post the page's height to the parent
 * on every resize (ResizeObserver on the document), so the snippet's listener can size
 * the frame to the widget (see embedHeight.ts). Outside a frame it does nothing.
 */
import { embedHeightMessage } from './embedHeight.ts';

if (window.parent !== window) {
  const widget = document.body.dataset.widget ?? '';
  let last = 0;
  const post = (): void => {
    // The html element's own height is the content's (html and body have height: auto),
    // so it can shrink too; scrollHeight would never report less than the frame.
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage(embedHeightMessage(widget, height), '*');
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}
