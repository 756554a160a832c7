/*
 * svg.h: small inline-SVG charts for the HTML report, drawn into a buffer.
 *
 * Two chart shapes cover every figure `sluice report --html` draws:
 *
 *   svg_hbars()    horizontal bars, one row per category (funnel, reasons,
 *                  languages, hosts): long labels read well on the left;
 *   svg_columns()  vertical columns over ordered bins (histograms, runs
 *                  over time), with an optional marker line (a threshold).
 *
 * A chart has n categories and 1..SVG_MAX_SERIES series of n values each
 * (grouped side by side).  Every bar is a <rect> carrying its exact value
 * in data-value and data-series/data-label attributes and a <title> tooltip,
 * so tests can read the numbers back and screen readers get text; the <svg>
 * has role="img", a <title> and a <desc>.  Colours come from CSS classes
 * "s0".."s3" that the page's <style> defines.
 *
 * Output is well-formed XML and valid inside HTML5: every string from the
 * caller is escaped with svg_escape() (which also replaces invalid UTF-8
 * and control characters), and no attribute refers to anything outside the
 * document.  Nothing is allocated but the output buffer; on BUF_NOMEM or
 * BUF_TOOBIG the functions return that negative code and the buffer holds a
 * partial chart the caller should discard.
 */
#ifndef SL_SVG_H
#define SL_SVG_H

#include <stddef.h>

struct buf;

#define SVG_MAX_SERIES 4

struct svg_series {
	const char *name;	/* legend text ("kept") */
	const double *v;	/* n values, >= 0 */
};

struct svg_chart {
	const char *id;		/* the <svg> element's id: [a-z0-9-] */
	const char *title;	/* short title; also the accessible name */
	const char *desc;	/* one sentence for screen readers, or NULL */
	const char *unit;	/* "documents", appended in tooltips, or NULL */
	size_t n;		/* categories (rows or bins) */
	const char *const *labels;	/* n labels */
	size_t nseries;		/* 1..SVG_MAX_SERIES */
	struct svg_series series[SVG_MAX_SERIES];
	int marker;		/* svg_columns: draw a vertical line ... */
	double marker_at;	/* ... at this bin position (0 = left edge
				 * of bin 0, n = right edge of the last) */
	const char *marker_label;	/* its caption ("threshold 0.5") */
};

/* Append s escaped for XML/HTML text and attribute values: & < > " ' as
 * entities, control characters and invalid UTF-8 as U+FFFD.  At most
 * max_chars code points are written (0: no limit); a cut string ends in
 * an ellipsis. */
int svg_escape(struct buf *out, const char *s, size_t max_chars);

/* Format v with thousands separators ("1,234,567"; negatives keep '-'). */
void svg_thousands(char *dst, size_t cap, long long v);

/* Format a value for a label: integers with separators, else 3 significant
 * digits ("0.125", "12.5"). */
void svg_value(char *dst, size_t cap, double v);

int svg_hbars(struct buf *out, const struct svg_chart *c);
int svg_columns(struct buf *out, const struct svg_chart *c);

#endif
