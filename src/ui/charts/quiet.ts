/**
 * Plot names each mark's <g> with aria-label ("cell", "dot"), which axe reports as
 * aria-prohibited-attr (aria-label on an element with no role). renderFigure makes the
 * whole chart one role="img" with its label and text alternative, so the marks need none.
 * Every chart builder here returns its plot through this.
 */
export function quietMarks<E extends Element>(chart: E): E {
  for (const el of chart.querySelectorAll('[aria-label], [aria-description]')) {
    el.removeAttribute('aria-label');
    el.removeAttribute('aria-description');
  }
  return chart;
}
