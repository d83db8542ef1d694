/**
 * Content collections. `chapters`: the explainer's MDX chapters in content/,
 * ordered by `order`; the URL slug is the file name (content/attention-objective.mdx
 * → /chapters/attention-objective/).
 */
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

const chapters = defineCollection({
  loader: glob({ pattern: '*.mdx', base: './content' }),
  schema: z
    .object({
      title: z.string().min(3),
      /** One or two sentences: shown under the title, on the home page and in the meta description. */
      summary: z.string().min(20).max(320),
      /** Position in the reading order, 1-based; must be unique. */
      order: z.number().int().min(1),
      /**
       * Minutes. Optional: the site computes it from the text (src/site/plugins/reading-time.ts);
       * when given it must agree with the computed value to within 50 %.
       */
      readingTime: z.number().int().min(1).max(120).optional(),
      /** Widgets the chapter embeds, each at a `{/* WIDGET: id *\/}` slot (checked at build). */
      widgets: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'widget ids are kebab-case')).default([]),
    })
    .strict(),
});

export const collections = { chapters };
