/*
 * extract.h: the main text of an HTML page, plus what the crawler needs
 * from it (title, language, robots directives, base URL, outlinks).
 *
 * Input is UTF-8 (convert with charset_to_utf8() first); libxml2's HTML
 * parser builds the tree in recovery mode, so any byte string gives some
 * result.  The main text is chosen by general heuristics (no per-site
 * rules): boilerplate elements are pruned by tag, class/id and visibility,
 * then containers are scored by the text, commas, paragraphs and link
 * density below them, and the best one is taken with the siblings that look
 * like part of the same article (see the top of extract.c).
 *
 * Output text: paragraphs separated by one blank line; headings, list items,
 * table rows and <br> on their own lines; whitespace collapsed; entities
 * decoded; no markup.  Always valid UTF-8, at most opts->max_text bytes
 * (cut at a character boundary, result->truncated set).
 *
 *   struct extract_opts o; extract_opts_init(&o);
 *   struct extract_result r; extract_result_init(&r);
 *   if (extract_html(utf8, n, &o, &r, &err)) ...;
 *   use(r.text.data, r.title, r.links[i].href ...);
 *   extract_result_release(&r);    // frees everything r points to
 *
 * A result may be reused for the next page (extract_html() releases what
 * it held).  No global state of our own; libxml2 initialises itself on the
 * first parse, so a program that extracts from several threads calls
 * xmlInitParser() once from the main thread before starting them.
 *
 * Outlinks: every <a href> of the page (navigation included), raw values
 * with surrounding whitespace removed, first occurrence order, duplicates
 * merged; rel=nofollow links are kept but flagged (nofollow = 1 only when
 * every occurrence of that href is nofollow).  Resolve them against
 * base_href, else the page URL.
 */
#ifndef SL_EXTRACT_H
#define SL_EXTRACT_H

#include <stddef.h>

#include "../lib/buf.h"

struct sl_err;

struct extract_opts {
	size_t max_input;	/* larger pages are refused (default 64 MiB) */
	size_t max_text;	/* cap of result.text (default 4 MiB) */
	size_t max_links;	/* links kept (default 10000) */
	size_t max_attr;	/* longest href/title/lang kept (default 4096) */
	unsigned max_depth;	/* elements deeper are ignored (default 256) */
	int want_links;		/* collect outlinks (default 1) */
};

struct extract_link {
	char *href;		/* raw attribute value, whitespace trimmed */
	int nofollow;		/* every <a> with this href had rel=nofollow */
};

struct extract_result {
	struct buf text;	/* the main text, NUL-terminated */
	char *title;		/* <title>, whitespace collapsed, or NULL */
	char *lang;		/* <html lang>, or NULL */
	char *base_href;	/* first <base href>, or NULL */
	char *canonical;	/* first <link rel="canonical" href>, as
				 * written (unresolved), or NULL */
	int noindex, nofollow;	/* <meta name=robots> directives */
	int truncated;		/* text was cut at max_text */
	struct extract_link *links;	/* document order, deduplicated */
	size_t nlinks;
};

void extract_opts_init(struct extract_opts *o);
void extract_result_init(struct extract_result *r);
void extract_result_release(struct extract_result *r);

/* Extract from utf8[0..n) into r (which must be initialised or released).
 * Returns 0, or -1 (input over max_input, out of memory) with a message in
 * err; an empty or unparsable page is not an error (empty text). */
int extract_html(const char *utf8, size_t n, const struct extract_opts *o,
		 struct extract_result *r, struct sl_err *err);

#endif
