/*
 * report_html.h: `sluice report --html`: one self-contained HTML page.
 *
 * The page has no external reference at all: CSS in one <style> block, the
 * charts as inline SVG (lib/svg.h), no script, no font, no image.  Every
 * string from the store goes through svg_escape().
 *
 * Each chart has a stable id that tests look for (REPORT_HTML_CHARTS lists
 * those every store gets); an optional part whose tables are absent gets a
 * <p class="absent" id="<part>-absent"> note instead of its charts.
 *
 *   struct buf page;
 *   buf_init(&page, 0);
 *   if (report_html(&page, &r, "sluice.db", "2026-11-29T06:00:00Z")) ...
 *   write page.data, page.len;  buf_release(&page);
 */
#ifndef SL_REPORT_HTML_H
#define SL_REPORT_HTML_H

struct buf;
struct report;

/* Returns 0, or a negative BUF_* code (out of memory). */
int report_html(struct buf *out, const struct report *r, const char *store,
		const char *generated);

#endif
