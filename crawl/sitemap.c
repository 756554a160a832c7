/*
 * sitemap.c: sitemap and sitemap index parsing (see sitemap.h).
 */
#include "sitemap.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <zlib.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* Inflate a gzip body into out (capped). */
static int gunzip(const char *in, size_t n, struct buf *out,
		  struct sl_err *err)
{
	z_stream z;
	char chunk[16384];
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return sl_error(err, "cannot inflate the sitemap");
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = (unsigned char *)chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			return sl_error(err, "bad gzip data in the sitemap");
		}
		if (buf_add(out, chunk, sizeof(chunk) - z.avail_out)) {
			inflateEnd(&z);
			return sl_error(err, "sitemap over %u bytes",
					SITEMAP_MAX_BYTES);
		}
	} while (rc != Z_STREAM_END && (z.avail_in || !z.avail_out));
	inflateEnd(&z);
	return 0;
}

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

/* Hand each <entry><loc> under root to on_loc. */
static int walk(xmlNode *root, const char *entry, int is_index,
		int (*on_loc)(void *, const char *, int), void *arg,
		size_t max_locs)
{
	int count = 0;

	for (xmlNode *e = root->children; e; e = e->next) {
		if (!is(e, entry))
			continue;
		for (xmlNode *l = e->children; l; l = l->next) {
			xmlChar *t;
			char *s, *end;
			int stop;

			if (!is(l, "loc"))
				continue;
			if (!(t = xmlNodeGetContent(l)))
				continue;
			s = (char *)t;
			while (*s == ' ' || *s == '\t' || *s == '\n' ||
			       *s == '\r')
				s++;
			end = s + strlen(s);
			while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
					   end[-1] == '\n' || end[-1] == '\r'))
				*--end = 0;
			stop = *s ? on_loc(arg, s, is_index) : 0;
			count += *s != 0;
			xmlFree(t);
			if (stop || (size_t)count >= max_locs)
				return count;
			break;
		}
	}
	return count;
}

int sitemap_parse(const char *body, size_t len,
		  int (*on_loc)(void *arg, const char *loc, int is_index),
		  void *arg, size_t max_locs, struct sl_err *err)
{
	struct buf raw;
	xmlDoc *doc;
	xmlNode *root;
	int n = -1;

	buf_init(&raw, SITEMAP_MAX_BYTES);
	if (len >= 2 && (unsigned char)body[0] == 0x1f &&
	    (unsigned char)body[1] == 0x8b) {
		if (gunzip(body, len, &raw, err))
			goto out;
		body = raw.data ? raw.data : "";
		len = raw.len;
	}
	if (len > SITEMAP_MAX_BYTES || len > 0x7fffffff) {
		sl_error(err, "sitemap over %u bytes", SITEMAP_MAX_BYTES);
		goto out;
	}
	doc = xmlReadMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET |
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_NOBLANKS);
	if (!doc) {
		sl_error(err, "sitemap is not XML");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root && is(root, "urlset"))
		n = walk(root, "url", 0, on_loc, arg, max_locs);
	else if (root && is(root, "sitemapindex"))
		n = walk(root, "sitemap", 1, on_loc, arg, max_locs);
	else
		sl_error(err, "not a sitemap: root element is not <urlset> "
			 "or <sitemapindex>");
	xmlFreeDoc(doc);
out:
	buf_release(&raw);
	return n;
}
