/**
 * The widgets the site shows: every widget slot of every chapter that has a wrapper
 * component in src/widgets/ (the convention of src/components/Widget.astro: the file is
 * named after the slot's id, `SomeId.astro`, `some-id.astro` or `some-id/index.astro`),
 * with the chapter it appears in. The teachers' chapter lists them and the embed pages
 * are built from them.
 */
import { sortedChapters, chapterUrl } from './chapters.ts';
import { WIDGET_GUIDE, widgetName, type WidgetInfo } from './teachers.ts';
import { withBase } from './base.ts';

export type WidgetComponent = (props: Record<string, never>) => unknown;
type Loader = () => Promise<{ default: WidgetComponent }>;

const WRAPPERS = import.meta.glob<{ default: WidgetComponent }>('../widgets/**/*.astro');

/** Letters and digits only, lower case: "ConvergenceLab" and "convergence-lab" both become "convergencelab". */
const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The wrapper component of a widget id, if the site has one. */
export function wrapperOf(id: string): Loader | undefined {
  for (const [path, load] of Object.entries(WRAPPERS)) {
    const parts = path
      .replace(/^\.\.\/widgets\//, '')
      .replace(/\.astro$/, '')
      .split('/');
    const name = parts.length === 2 && parts[1] === 'index' ? parts[0] : parts.length === 1 ? parts[0] : '';
    if (name && squash(name) === squash(id)) return load;
  }
  return undefined;
}

export interface SiteWidget {
  id: string;
  name: string;
  info: WidgetInfo | undefined;
  chapter: { slug: string; title: string; order: number; url: string };
  /** The page that shows the widget alone, for an <iframe>. */
  embedUrl: string;
}

/** Every widget with a wrapper, in reading order (first chapter that shows it). */
export async function siteWidgets(): Promise<SiteWidget[]> {
  const out: SiteWidget[] = [];
  for (const c of await sortedChapters()) {
    for (const id of c.data.widgets) {
      if (out.some((w) => w.id === id) || !wrapperOf(id)) continue;
      out.push({
        id,
        name: widgetName(id),
        info: WIDGET_GUIDE[id],
        chapter: { slug: c.id, title: c.data.title, order: c.data.order, url: chapterUrl(c) },
        embedUrl: withBase(`/embed/${id}/`),
      });
    }
  }
  return out;
}
