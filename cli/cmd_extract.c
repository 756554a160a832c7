/*
 * cmd_extract.c: `sluice extract`: the main text of one HTML file, as the
 * crawler would store it (charset detection and conversion, then
 * extraction).  Reads .html or .html.gz (zlib reads either), or stdin.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cmd.h"
#include "../crawl/charset.h"
#include "../crawl/extract.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#define MAX_PAGE (64u << 20)

static int read_page(const char *path, struct buf *b)
{
	gzFile f = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
	char chunk[65536];
	int n;

	if (!f)
		return die_msg("cannot open '%s': %s", path,
			       strerror(errno ? errno : ENOMEM));
	while ((n = gzread(f, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)n)) {
			gzclose(f);
			return die_msg("cannot read '%s': larger than %u bytes",
				       path, MAX_PAGE);
		}
	if (n < 0) {
		int e;
		const char *m = gzerror(f, &e);

		die_msg("cannot read '%s': %s", path, m);
		gzclose(f);
		return EXIT_FAIL;
	}
	gzclose(f);
	return EXIT_OK;
}

static const char *const source_names[] = {
	"byte order mark", "http header", "meta", "guess", "default",
};

static void print_meta(const struct extract_result *r, const char *url,
		       const char *label, int src)
{
	if (url)
		printf("url: %s\n", url);
	printf("charset: %s (%s)\n", label, source_names[src]);
	printf("title: %s\n", r->title ? r->title : "");
	printf("lang: %s\n", r->lang ? r->lang : "");
	printf("base: %s\n", r->base_href ? r->base_href : "");
	printf("canonical: %s\n", r->canonical ? r->canonical : "");
	printf("robots:%s%s\n", r->noindex ? " noindex" : "",
	       r->nofollow ? " nofollow" : "");
	printf("\n");
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "content-type", required_argument, NULL, 'c' },
		{ "links", no_argument, NULL, 'l' },
		{ "meta", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *ct = NULL;
	int links = 0, meta = 0, c, src, rc;
	char label[CHARSET_LABEL_MAX];
	struct buf raw, utf8;
	struct extract_opts eo;
	struct extract_result r;
	struct sl_err err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'c': ct = optarg; break;
		case 'l': links = 1; break;
		case 'm': meta = 1; break;
		default: return usage_error(ctx, "unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error(ctx, "need exactly one FILE (or -)");
	buf_init(&raw, MAX_PAGE);
	buf_init(&utf8, MAX_PAGE);
	extract_result_init(&r);
	extract_opts_init(&eo);
	eo.want_links = links;
	rc = read_page(argv[optind], &raw);
	if (rc)
		goto out;
	src = charset_detect(raw.data ? raw.data : "", raw.len, ct, label,
			     sizeof(label));
	if (charset_to_utf8(raw.data ? raw.data : "", raw.len, label, &utf8,
			    NULL, &err) < 0 ||
	    extract_html(utf8.data ? utf8.data : "", utf8.len, &eo, &r, &err)) {
		rc = die_msg("%s: %s", argv[optind], err.msg);
		goto out;
	}
	if (meta)
		print_meta(&r, url, label, src);
	if (r.text.len)
		printf("%s\n", r.text.data);
	if (links) {
		printf("\n");
		for (size_t i = 0; i < r.nlinks; i++)
			printf("%s\t%s\n", r.links[i].nofollow ? "nofollow" :
			       "link", r.links[i].href);
	}
out:
	extract_result_release(&r);
	buf_release(&raw);
	buf_release(&utf8);
	return rc;
}

const struct cmd cmd_extract = {
	.name = "extract",
	.run = run,
	.usage = "sluice extract [--url URL] [--content-type CT] [--links] "
		 "[--meta] FILE|-",
	.summary = "print the main text of one HTML page (.html or .html.gz)",
	.help =
	"  --url URL          the page's address, shown by --meta (default:\n"
	"                     none; links are printed raw, not resolved)\n"
	"  --content-type CT  the HTTP Content-Type value; its charset= wins\n"
	"                     over <meta> (default: none)\n"
	"  --links            after the text, a blank line, then one line per\n"
	"                     outlink: 'link<TAB>href' or 'nofollow<TAB>href'\n"
	"                     (default: off)\n"
	"  --meta             before the text: url, charset and where it was\n"
	"                     found, title, lang, base, canonical, robots, a blank line\n"
	"                     (default: off)\n"
	"  FILE               the page, plain or gzip-compressed; - reads\n"
	"                     standard input (at most 64 MiB)\n",
	.flags = 0,
};
