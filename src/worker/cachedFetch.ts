/**
 * A fetch that keeps versioned files (URLs with `?v=<hash>`, i.e. model weights) in
 * the browser's Cache Storage, so a model is downloaded once per version, whatever
 * cache headers the site's host sends. Older versions of the same file are dropped.
 * Where Cache Storage is missing (an insecure origin, Node) it is a plain fetch.
 */
const CACHE = 'attention-pruning-models-v1';

export async function cachedFetch(input: string): Promise<Response> {
  const versioned = /\?v=[0-9a-f]+$/.test(input);
  if (!versioned || typeof caches === 'undefined') return fetch(input);
  let cache: Cache;
  try {
    cache = await caches.open(CACHE);
  } catch {
    return fetch(input);
  }
  const hit = await cache.match(input);
  if (hit) return hit;
  const res = await fetch(input);
  if (res.ok) {
    const path = input.replace(/\?v=[0-9a-f]+$/, '');
    try {
      for (const old of await cache.keys())
        if (old.url !== new URL(input, location.href).href && old.url.startsWith(new URL(path, location.href).href)) await cache.delete(old);
      await cache.put(input, res.clone());
    } catch {
      /* a full or unavailable cache only costs a download next time */
    }
  }
  return res;
}
