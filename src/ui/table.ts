/** A plain, accessible table; numbers in it go through the format module. */
import { num } from './format.ts';

export interface TableSpec {
  caption: string;
  head: string[];
  rows: (string | number)[][];
  /** Columns (by index) that hold text and align left; the others are numbers. */
  textColumns?: number[];
}

let tableCount = 0;

/**
 * A plain, accessible table. Its caption is a paragraph above a horizontally scrolling
 * box (so on a phone the caption wraps to the screen, not to the table), named by
 * aria-labelledby; the box can take keyboard focus so it can be scrolled without a mouse.
 */
export function table(spec: TableSpec): HTMLElement {
  const id = `widget-table-${++tableCount}`;
  const outer = document.createElement('div');
  const caption = document.createElement('p');
  caption.className = 'widget-table-caption';
  caption.id = id;
  caption.textContent = spec.caption;
  const wrap = document.createElement('div');
  wrap.className = 'widget-table';
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-labelledby', id);
  const t = document.createElement('table');
  t.setAttribute('aria-labelledby', id);
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  const left = new Set(spec.textColumns ?? [0]);
  spec.head.forEach((h, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    if (left.has(i)) th.className = 'text';
    hr.append(th);
  });
  thead.append(hr);
  const tbody = document.createElement('tbody');
  for (const row of spec.rows) {
    const tr = document.createElement('tr');
    row.forEach((v, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) (cell as HTMLTableCellElement).scope = 'row';
      cell.textContent = typeof v === 'number' ? num(v) : v;
      if (left.has(i)) cell.className = 'text';
      tr.append(cell);
    });
    tbody.append(tr);
  }
  t.append(thead, tbody);
  wrap.append(t);
  outer.append(caption, wrap);
  return outer;
}
