/** The chapters in reading order, with the checks the schema cannot make on its own. */
import { getCollection, type CollectionEntry } from 'astro:content';
import { withBase } from './base.ts';

export type ChapterEntry = CollectionEntry<'chapters'>;

export async function sortedChapters(): Promise<ChapterEntry[]> {
  const chapters = (await getCollection('chapters')).sort((a: ChapterEntry, b: ChapterEntry) => a.data.order - b.data.order);
  for (let i = 1; i < chapters.length; i++) {
    if (chapters[i].data.order === chapters[i - 1].data.order) {
      throw new Error(`chapters ${chapters[i - 1].id} and ${chapters[i].id} share order ${chapters[i].data.order}`);
    }
  }
  return chapters;
}

export function chapterUrl(entry: ChapterEntry): string {
  return withBase(`/chapters/${entry.id}/`);
}
