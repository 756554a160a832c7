/*
 * sitemap.h: the URLs of a sitemap (sitemaps.org protocol), for seeding a
 * crawl.
 *
 * A sitemap is either a <urlset> of <url><loc>...</loc></url> entries or
 * a <sitemapindex> of <sitemap><loc>...</loc></sitemap> entries naming
 * more sitemaps; the callback is told which.  Element names are matched
 * by local name (namespaces ignored); <loc> text is trimmed.  A body
 * starting with the gzip magic is inflated first (sitemap.xml.gz), up to
 * SITEMAP_MAX_BYTES.  libxml2 parses without network access and without
 * substituting entities, so a hostile sitemap cannot fetch or expand.
 *
 *   n = sitemap_parse(body, len, on_loc, arg, max_locs, &err);
 *
 * on_loc(arg, loc, is_index) returns nonzero to stop early.
 */
#ifndef SL_SITEMAP_H
#define SL_SITEMAP_H

#include <stddef.h>

struct sl_err;

/* 50 MiB uncompressed and 50,000 URLs: the protocol's own limits. */
#define SITEMAP_MAX_BYTES (50u << 20)
#define SITEMAP_MAX_LOCS 50000

/* Returns the number of <loc> handed to on_loc, or -1 (not XML, neither a
 * urlset nor a sitemapindex, bad gzip) with a message in err. */
int sitemap_parse(const char *body, size_t len,
		  int (*on_loc)(void *arg, const char *loc, int is_index),
		  void *arg, size_t max_locs, struct sl_err *err);

#endif
