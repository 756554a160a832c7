/*
 * extract.c: HTML -> main text (readability / trafilatura style heuristics).
 *
 * The passes, each one walk over libxml2's tree (iterative, no recursion,
 * so a deeply nested page cannot exhaust the stack):
 *
 *   1. meta:   <title>, <html lang>, <meta name=robots>, <base href> and
 *              every <a href> (over the whole page, boilerplate included:
 *              the crawler wants navigation links too);
 *   2. prune:  mark as dropped the elements that are never main text:
 *              script/style/nav/aside/form/... tags, hidden elements,
 *              schema.org date/author elements, and elements whose class
 *              or id names boilerplate ("comment", "share", "sidebar"...)
 *              unless they also name content ("article", "content"...) or
 *              hold a quarter of the page's prose (measured by a first
 *              prune + stats without the class rule);
 *   3. stats:  bottom-up per element: text bytes, bytes inside <a>, bytes
 *              in clean <p>s, commas, letter case, <p>/<img>/<li>/<a>/
 *              <input> counts;
 *   4. score:  every paragraph-like element (p, pre, td, blockquote, or a
 *              div holding only inline content) with >= 25 bytes of text
 *              gives 1 + commas + min(len/100, 3) to its parent, half to
 *              its grandparent, less further up; each container's total is
 *              scaled by (1 - link density) and biased by its tag and its
 *              class/id; the best container wins, unless the page marks
 *              one article body (itemprop=articleBody) that holds most of
 *              the text.  The winner then widens to an ancestor when that
 *              adds mostly clean paragraphs (articles cut in sections by
 *              figures), and climbs while it is an only child;
 *   5. output: the winner and those siblings that score close to it or
 *              are clean paragraphs, skipping nested blocks that look like
 *              link lists, galleries, captions, forms, copyright lines or
 *              link teasers ("conditional cleaning"), written as text with
 *              block structure; closing credit/follow-us lines are trimmed.
 *
 * When all that leaves too little text (some sites name their article
 * wrapper "post-sidebar-layout"), the page is scored again without the
 * class/id rule.  Per-element data hangs off xmlNode._private (libxml2
 * leaves that field to the application); it points into one array per
 * page.  Elements deeper than max_depth are dropped with their subtree.
 */
#include "extract.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

/* ---- tags ---- */

enum {
	T_DROP = 1 << 0,	/* never main text */
	T_BLOCK = 1 << 1,	/* paragraph break around it */
	T_LINE = 1 << 2,	/* line break around it */
	T_CELL = 1 << 3,	/* a space around it */
	T_PARA = 1 << 4,	/* scored as a paragraph */
	T_DIVLIKE = 1 << 5,	/* scored as a paragraph when it holds no block */
	T_P_BREAKER = 1 << 6,	/* makes a div-like element a container */
	T_HEADING = 1 << 7,
	T_CLEAN = 1 << 8,	/* subject to conditional cleaning */
	T_LIST = 1 << 9,
};

/* Tags the passes test by name, resolved once per element (TG_OTHER for
 * the rest) so no hot loop compares strings. */
enum {
	TG_OTHER = 0, TG_A, TG_ARTICLE, TG_BODY, TG_EM, TG_EMBED, TG_H1, TG_I,
	TG_IFRAME, TG_IMG, TG_INPUT, TG_LI, TG_MAIN, TG_OBJECT, TG_P,
	TG_PICTURE, TG_PRE, TG_TITLE, TG_HTML, TG_BASE, TG_LINK, TG_META,
};

struct tag {
	const char *name;
	unsigned flags;
	int weight;		/* readability's tag prior for containers */
	int id;			/* TG_* */
};

/* Sorted by name for bsearch. */
static const struct tag tags[] = {
	{ "a", 0, 0, TG_A },
	{ "address", T_BLOCK, -3, TG_OTHER },
	{ "article", T_BLOCK | T_DIVLIKE | T_P_BREAKER | T_CLEAN, 5, TG_ARTICLE },
	{ "aside", T_DROP, 0, TG_OTHER },
	{ "audio", T_DROP, 0, TG_OTHER },
	{ "base", 0, 0, TG_BASE },
	{ "blockquote", T_BLOCK | T_PARA | T_P_BREAKER, 3, TG_OTHER },
	{ "body", T_BLOCK, 0, TG_BODY },
	{ "br", T_LINE, 0, TG_OTHER },
	{ "button", T_DROP, 0, TG_OTHER },
	{ "canvas", T_DROP, 0, TG_OTHER },
	{ "caption", T_LINE, 0, TG_OTHER },
	{ "center", T_BLOCK | T_DIVLIKE | T_P_BREAKER, 5, TG_OTHER },
	{ "dd", T_LINE, -3, TG_OTHER },
	{ "details", T_BLOCK, 0, TG_OTHER },
	{ "dialog", T_DROP, 0, TG_OTHER },
	{ "div", T_BLOCK | T_DIVLIKE | T_P_BREAKER | T_CLEAN, 5, TG_OTHER },
	{ "dl", T_BLOCK | T_P_BREAKER, -3, TG_OTHER },
	{ "dt", T_LINE, -3, TG_OTHER },
	{ "em", 0, 0, TG_EM },
	{ "embed", T_DROP, 0, TG_EMBED },
	{ "fieldset", T_BLOCK, 0, TG_OTHER },
	{ "figcaption", T_DROP, 0, TG_OTHER },
	{ "figure", T_BLOCK | T_CLEAN, 0, TG_OTHER },
	{ "footer", T_DROP, 0, TG_OTHER },
	{ "form", T_DROP, -3, TG_OTHER },
	{ "h1", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_H1 },
	{ "h2", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_OTHER },
	{ "h3", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_OTHER },
	{ "h4", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_OTHER },
	{ "h5", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_OTHER },
	{ "h6", T_BLOCK | T_HEADING | T_P_BREAKER, -5, TG_OTHER },
	{ "head", T_DROP, 0, TG_OTHER },
	{ "header", T_DROP, 0, TG_OTHER },
	{ "hr", T_BLOCK, 0, TG_OTHER },
	{ "html", T_BLOCK, 0, TG_HTML },
	{ "i", 0, 0, TG_I },
	{ "iframe", T_DROP, 0, TG_IFRAME },
	{ "img", T_P_BREAKER, 0, TG_IMG },
	{ "input", T_DROP, 0, TG_INPUT },
	{ "li", T_LINE, -3, TG_LI },
	{ "link", T_DROP, 0, TG_LINK },
	{ "main", T_BLOCK | T_DIVLIKE | T_P_BREAKER | T_CLEAN, 5, TG_MAIN },
	{ "map", T_DROP, 0, TG_OTHER },
	{ "math", T_DROP, 0, TG_OTHER },
	{ "menu", T_DROP, 0, TG_OTHER },
	{ "meta", T_DROP, 0, TG_META },
	{ "nav", T_DROP, 0, TG_OTHER },
	{ "noscript", T_DROP, 0, TG_OTHER },
	{ "object", T_DROP, 0, TG_OBJECT },
	{ "ol", T_BLOCK | T_P_BREAKER | T_CLEAN | T_LIST, -3, TG_OTHER },
	{ "option", T_DROP, 0, TG_OTHER },
	{ "p", T_BLOCK | T_PARA | T_P_BREAKER, 0, TG_P },
	{ "picture", 0, 0, TG_PICTURE },
	{ "pre", T_BLOCK | T_PARA | T_P_BREAKER, 3, TG_PRE },
	{ "script", T_DROP, 0, TG_OTHER },
	{ "section", T_BLOCK | T_DIVLIKE | T_P_BREAKER | T_CLEAN, 5, TG_OTHER },
	{ "select", T_DROP, 0, TG_OTHER },
	{ "style", T_DROP, 0, TG_OTHER },
	{ "summary", T_BLOCK, 0, TG_OTHER },
	{ "svg", T_DROP, 0, TG_OTHER },
	{ "table", T_BLOCK | T_P_BREAKER | T_CLEAN, 0, TG_OTHER },
	{ "td", T_CELL | T_PARA, 3, TG_OTHER },
	{ "template", T_DROP, 0, TG_OTHER },
	{ "textarea", T_DROP, 0, TG_OTHER },
	{ "th", T_CELL, -5, TG_OTHER },
	{ "title", T_DROP, 0, TG_TITLE },
	{ "tr", T_LINE, 0, TG_OTHER },
	{ "ul", T_BLOCK | T_P_BREAKER | T_CLEAN | T_LIST, -3, TG_OTHER },
	{ "video", T_DROP, 0, TG_OTHER },
};

static int tag_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct tag *)e)->name);
}

/* The entry of an element's tag; one with no flags for tags not listed. */
static const struct tag *tag_lookup(const xmlNode *n)
{
	static const struct tag none = { "", 0, 0, TG_OTHER };
	const struct tag *t = NULL;

	if (n->name)
		t = bsearch(n->name, tags, sizeof(tags) / sizeof(tags[0]),
			    sizeof(tags[0]), tag_cmp);
	return t ? t : &none;
}

/* Value of attribute name (lower case) without allocating, or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (!a->name || strcasecmp((const char *)a->name, name))
			continue;
		if (a->children && a->children->type == XML_TEXT_NODE &&
		    a->children->content)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/* ---- per-element data ---- */

/* Text counts of one element's own text nodes. */
struct tcount {
	uint32_t text, upper, lower, commas;
};

struct ni {
	/* Set once per page, kept across passes. */
	const struct tag *tag;
	uint32_t ptext0;	/* ptext before class/id pruning */
	uint8_t cls;		/* CLS_* below */
	int8_t cweight;		/* class_weight() */
	uint8_t own_done;	/* own is counted */
	struct tcount own;	/* the element's own text nodes */
	/* Recomputed by each prune + stats. */
	uint32_t text;		/* non-space bytes of kept text below */
	uint32_t link;		/* ... of which inside <a> */
	uint32_t commas;
	uint32_t ptext;		/* ... of which in clean <p> paragraphs */
	uint32_t upper, lower;	/* ASCII letters by case */
	uint16_t paras, imgs, lis, inputs, embeds, links;
	uint8_t drop;		/* pruned (with its subtree) */
	uint8_t scored;
	uint8_t has_block;	/* has a T_P_BREAKER child element */
	uint8_t keep;		/* on the path to the winner: never cleaned */
	int8_t weight;		/* class/id weight: -50..50 */
	float score;
};

static struct ni *NI(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE ? n->_private : NULL;
}

static unsigned tflags(const struct ni *x)
{
	return x->tag->flags;
}

/* Is n an element with tag id (TG_*)? */
static int is_tag(const xmlNode *n, int id)
{
	const struct ni *x = NI(n);

	return x && x->tag->id == id;
}

/* Pre-order walk without recursion: the next node after n below root,
 * descending into n's children when down is set. */
static xmlNode *walk_next(xmlNode *n, const xmlNode *root, int down)
{
	if (down && n->children)
		return n->children;
	while (n && n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* ---- class/id words ---- */

/* A class or id value lower-cased once (the first 511 bytes: class lists
 * are short), with the set of its byte pairs: a word whose first two bytes
 * are not in the set cannot be in the value, so most of the ~100 words
 * tested per value skip strstr. */
struct low {
	char s[512];
	uint64_t pairs[16];	/* 1024-bit set of pair_bit()s */
};

static unsigned pair_bit(const char *p)
{
	return ((unsigned char)p[0] * 31u + (unsigned char)p[1]) & 1023u;
}

static void low_init(struct low *l, const char *s)
{
	size_t n = 0;

	memset(l->pairs, 0, sizeof(l->pairs));
	for (; s[n] && n < sizeof(l->s) - 1; n++)
		l->s[n] = (char)tolower((unsigned char)s[n]);
	l->s[n] = '\0';
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned b = pair_bit(l->s + i);

		l->pairs[b >> 6] |= 1ull << (b & 63);
	}
}

/* Is one of words (lower case) a substring of l, ignoring ASCII case? */
static int has_word(const struct low *l, const char *const *words)
{
	for (; *words; words++) {
		const char *w = *words;
		unsigned b;

		if (w[0] && w[1]) {
			b = pair_bit(w);
			if (!(l->pairs[b >> 6] >> (b & 63) & 1))
				continue;
		}
		if (strstr(l->s, w))
			return 1;
	}
	return 0;
}

/* Whole tokens (split on non-alphanumerics), for words too short to
 * match as substrings ("ad" is in "header", "nav" in "canvas"). */
static const char *const canonical_tok[] = { "canonical", NULL };

static int has_token(const char *s, const char *const *words)
{
	while (*s) {
		size_t n;

		while (*s && !isalnum((unsigned char)*s))
			s++;
		n = 0;
		while (isalnum((unsigned char)s[n]))
			n++;
		for (const char *const *w = words; n && *w; w++)
			if (tolower((unsigned char)*s) ==
			    tolower((unsigned char)**w) &&
			    strlen(*w) == n && !strncasecmp(s, *w, n))
				return 1;
		s += n;
	}
	return 0;
}

static const char *const unlikely_sub[] = {
	"comment", "share", "sharing", "social", "related", "sidebar",
	"breadcrumb", "cookie", "newsletter", "subscribe", "advert", "promo",
	"footer", "banner", "combx", "community", "disqus", "gdpr", "masthead",
	"shoutbox", "skyscraper", "sponsor", "popup", "modal", "pagination",
	"pager", "signup", "sign-up", "navbar",
	"navigation", "menu", "outbrain", "taboola", "recirc", "trending",
	"most-popular", "mostpopular", "read-more", "readmore", "author",
	"byline", "dateline", "toolbar", "tags", "caption", "consent", "privacy", "print-only", "offscreen", "visually-hidden", "sr-only", "screen-reader", NULL,
};
static const char *const unlikely_tok[] = {
	"ad", "ads", "nav", "header", "meta", "caption", "credit", "extra",
	"rss", "tools", "share", "more", "cta", NULL,
};
static const char *const likely_sub[] = {
	"article", "body", "content", "main", "column", "shadow", "story",
	"post-text", NULL,
};
static const char *const positive_sub[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main",
	"page", "post", "text", "blog", "story", NULL,
};
static const char *const negative_sub[] = {
	"hidden", "banner", "combx", "comment", "com-", "contact", "foot",
	"footnote", "masthead", "media", "meta", "outbrain", "promo",
	"related", "scroll", "share", "shoutbox", "sidebar", "skyscraper",
	"sponsor", "shopping", "tags", "tool", "widget", "byline", "author",
	"caption", "credit", NULL,
};

/* v: class and id, NULL when absent or empty; low: the same lower-cased. */
static int class_weight(const char *const v[2], const struct low low[2])
{
	int w = 0;

	for (int i = 0; i < 2; i++) {
		if (!v[i])
			continue;
		if (has_word(&low[i], negative_sub))
			w -= 25;
		if (has_word(&low[i], positive_sub))
			w += 25;
	}
	return w;
}

/* The attributes pass 2 reads, taken in one walk over an element's list
 * (attr() for each name would walk it seven times). */
enum { A_CLASS, A_ID, A_ROLE, A_ITEMPROP, A_STYLE, A_HIDDEN, A_ARIA_HIDDEN,
       A_N };

static const char *attr_value(const xmlAttr *a)
{
	if (a->children && a->children->type == XML_TEXT_NODE &&
	    a->children->content)
		return (const char *)a->children->content;
	return "";
}

/* Which A_* a name is (ASCII case ignored, as attr()), or -1. */
static int prune_attr_id(const char *name)
{
	switch (tolower((unsigned char)name[0])) {
	case 'c': return strcasecmp(name, "class") ? -1 : A_CLASS;
	case 'r': return strcasecmp(name, "role") ? -1 : A_ROLE;
	case 's': return strcasecmp(name, "style") ? -1 : A_STYLE;
	case 'h': return strcasecmp(name, "hidden") ? -1 : A_HIDDEN;
	case 'a': return strcasecmp(name, "aria-hidden") ? -1 : A_ARIA_HIDDEN;
	case 'i':
		if (!strcasecmp(name, "id"))
			return A_ID;
		return strcasecmp(name, "itemprop") ? -1 : A_ITEMPROP;
	}
	return -1;
}

/* v[A_*]: the first value of each attribute, or NULL. */
static void prune_attrs(const xmlNode *n, const char *v[A_N])
{
	for (int i = 0; i < A_N; i++)
		v[i] = NULL;
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		int i = a->name ? prune_attr_id((const char *)a->name) : -1;

		if (i >= 0 && !v[i])
			v[i] = attr_value(a);
	}
}

/* v: prune_attrs(), class and id NULL when empty; low: those lower-cased. */
static int unlikely(const char *const v[A_N], const struct low low[2])
{
	static const char *const meta_props[] = {
		"datePublished", "dateModified", "dateCreated", "author",
		"publisher", NULL,
	};
	const char *role = v[A_ROLE];
	const char *ip = v[A_ITEMPROP];
	int bad = 0;

	/* schema.org says so: the date or the byline, not the article. */
	if (ip && has_token(ip, meta_props))
		return 1;

	if (role && (!strcasecmp(role, "navigation") ||
		     !strcasecmp(role, "complementary") ||
		     !strcasecmp(role, "banner") ||
		     !strcasecmp(role, "contentinfo") ||
		     !strcasecmp(role, "menu") || !strcasecmp(role, "dialog")))
		return 1;
	for (int i = 0; i < 2; i++)
		if (v[i] && (has_word(&low[i], unlikely_sub) ||
			     has_token(v[i], unlikely_tok)))
			bad = 1;
	if (!bad)
		return 0;
	for (int i = 0; i < 2; i++)
		if (v[i] && has_word(&low[i], likely_sub))
			return 0;
	return 1;
}

static int hidden(const char *const v[A_N])
{
	const char *s = v[A_STYLE], *a;

	if (v[A_HIDDEN])
		return 1;
	if ((a = v[A_ARIA_HIDDEN]) && !strcasecmp(a, "true"))
		return 1;
	if (!s)
		return 0;
	/* "display: none" with any spacing. */
	for (const char *p = s; (p = strcasestr(p, "display")); p += 7) {
		const char *q = p + 7;

		while (*q == ' ' || *q == ':')
			q++;
		if (!strncasecmp(q, "none", 4))
			return 1;
	}
	for (const char *p = s; (p = strcasestr(p, "visibility")); p += 10) {
		const char *q = p + 10;

		while (*q == ' ' || *q == ':')
			q++;
		if (!strncasecmp(q, "hidden", 6))
			return 1;
	}
	return 0;
}

/* What an element's attributes say, cached across pruning passes. */
enum { CLS_DONE = 1, CLS_UNLIKELY = 2, CLS_HIDDEN = 4 };

static void classify(const xmlNode *n, struct ni *x)
{
	const char *v[A_N];
	struct low low[2];

	if (x->cls & CLS_DONE)
		return;
	prune_attrs(n, v);
	for (int i = A_CLASS; i <= A_ID; i++) {
		if (v[i] && !*v[i])
			v[i] = NULL;
		if (v[i])
			low_init(&low[i], v[i]);
	}
	x->cls = CLS_DONE | (unlikely(v, low) ? CLS_UNLIKELY : 0) |
		 (hidden(v) ? CLS_HIDDEN : 0);
	x->cweight = (int8_t)class_weight(v, low);
}

/* ---- the page ---- */

/* How pass 2 uses class/id words. */
enum {
	PRUNE_NONE = 0,		/* not at all */
	PRUNE_ALL,		/* drop every element they name */
	PRUNE_SMALL,		/* ... except those holding 400+ bytes and 1/4
				 * of the prose */
};

struct page {
	xmlDoc *doc;
	xmlNode *body;
	struct ni *ni;
	size_t nni;
	const struct extract_opts *o;
	struct extract_result *r;
	int prune_classes;	/* PRUNE_* below */
	uint32_t body_ptext;	/* prose on the whole page (PRUNE_SMALL) */
	/* link dedup: open addressing on hash64(href) -> index + 1 */
	uint32_t *lset;
	size_t lcap;
	size_t links_alloc;
};

void extract_opts_init(struct extract_opts *o)
{
	o->max_input = 64u << 20;
	o->max_text = 4u << 20;
	o->max_links = 10000;
	o->max_attr = 4096;
	o->max_depth = 256;
	o->want_links = 1;
}

void extract_result_init(struct extract_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, 0);
}

void extract_result_release(struct extract_result *r)
{
	for (size_t i = 0; i < r->nlinks; i++)
		free(r->links[i].href);
	free(r->links);
	free(r->title);
	free(r->lang);
	free(r->base_href);
	free(r->canonical);
	buf_release(&r->text);
	extract_result_init(r);
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Copy s with whitespace trimmed and collapsed, at most max bytes (cut on
 * a character boundary).  NULL when empty or out of memory. */
static char *dup_collapsed(const char *s, size_t max)
{
	size_t n = strlen(s), k = 0;
	char *d;
	int sp = 0;

	if (n > max)
		n = max;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_ws(c)) {
			sp = k > 0;
			continue;
		}
		if (sp)
			d[k++] = ' ';
		sp = 0;
		d[k++] = (char)c;
	}
	/* The input is valid UTF-8: only a cut at max can break it. */
	k = utf8_valid_prefix(d, k);
	d[k] = '\0';
	if (!k) {
		free(d);
		return NULL;
	}
	return d;
}

/* ---- pass 1: metadata and links ---- */

static int add_link(struct page *pg, const char *href, int nofollow)
{
	struct extract_result *r = pg->r;
	char *h = dup_collapsed(href, pg->o->max_attr);
	uint64_t hv;
	size_t i;

	if (!h)
		return 0;
	if (r->nlinks >= pg->o->max_links) {
		free(h);
		return 0;
	}
	if (pg->lcap < 2 * (r->nlinks + 1)) {
		size_t ncap = pg->lcap ? pg->lcap * 2 : 256;
		uint32_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			goto nomem;
		for (size_t j = 0; j < r->nlinks; j++) {
			hv = hash64(r->links[j].href, strlen(r->links[j].href));
			for (i = hv & (ncap - 1); ns[i]; i = (i + 1) & (ncap - 1))
				;
			ns[i] = (uint32_t)j + 1;
		}
		free(pg->lset);
		pg->lset = ns;
		pg->lcap = ncap;
	}
	hv = hash64(h, strlen(h));
	for (i = hv & (pg->lcap - 1); pg->lset[i]; i = (i + 1) & (pg->lcap - 1)) {
		struct extract_link *l = &r->links[pg->lset[i] - 1];

		if (!strcmp(l->href, h)) {
			l->nofollow &= nofollow;
			free(h);
			return 0;
		}
	}
	if (r->nlinks == pg->links_alloc) {
		size_t na = pg->links_alloc ? pg->links_alloc * 2 : 64;
		struct extract_link *nl = realloc(r->links, na * sizeof(*nl));

		if (!nl)
			goto nomem;
		r->links = nl;
		pg->links_alloc = na;
	}
	r->links[r->nlinks].href = h;
	r->links[r->nlinks].nofollow = nofollow;
	pg->lset[i] = (uint32_t)++r->nlinks;
	return 0;
nomem:
	free(h);
	return -1;
}

static int rel_nofollow(const char *rel)
{
	return rel && has_token(rel, (const char *const[]){ "nofollow",
							     NULL });
}

/* Text of an element (the <title>) into a fresh string. */
static char *node_text(xmlNode *n, size_t max)
{
	struct buf b;
	char *s;

	buf_init(&b, max);
	for (xmlNode *c = n->children; c; c = walk_next(c, n, 1))
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
		    && c->content)
			if (buf_adds(&b, (const char *)c->content))
				break;
	s = b.data ? dup_collapsed(b.data, max) : NULL;
	buf_release(&b);
	return s;
}

/* What one element of the page says about it (pass 1). */
static int meta_element(struct page *pg, xmlNode *n, int id)
{
	static const char *const ni_[] = { "noindex", "none", NULL };
	static const char *const nf_[] = { "nofollow", "none", NULL };
	struct extract_result *r = pg->r;
	const char *v;

	if (id == TG_A && pg->o->want_links && (v = attr(n, "href")))
		return add_link(pg, v, rel_nofollow(attr(n, "rel")));
	if (id == TG_TITLE && !r->title)
		r->title = node_text(n, pg->o->max_attr);
	else if (id == TG_HTML && !r->lang &&
		 ((v = attr(n, "lang")) || (v = attr(n, "xml:lang"))))
		r->lang = dup_collapsed(v, pg->o->max_attr);
	else if (id == TG_BASE && !r->base_href && (v = attr(n, "href")))
		r->base_href = dup_collapsed(v, pg->o->max_attr);
	else if (id == TG_LINK && !r->canonical && (v = attr(n, "rel")) &&
		 has_token(v, canonical_tok) && (v = attr(n, "href")))
		r->canonical = dup_collapsed(v, pg->o->max_attr);
	else if (id == TG_META && (v = attr(n, "name")) &&
		 !strcasecmp(v, "robots") && (v = attr(n, "content"))) {
		r->noindex |= has_token(v, ni_);
		r->nofollow |= has_token(v, nf_);
	} else if (id == TG_BODY && !pg->body)
		pg->body = n;
	return 0;
}

static int meta_pass(struct page *pg, xmlNode *root)
{
	unsigned depth = 0;

	for (xmlNode *n = root; n; ) {
		int down = n->type == XML_ELEMENT_NODE &&
			   depth < pg->o->max_depth;

		if (n->type == XML_ELEMENT_NODE &&
		    meta_element(pg, n, NI(n)->tag->id) < 0)
			return -1;
		/* Depth bookkeeping for the iterative walk. */
		if (down && n->children) {
			depth++;
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next) {
			n = n->parent;
			depth--;
		}
		n = n && n != root ? n->next : NULL;
	}
	return 0;
}

/* ---- passes 2 and 3: prune and count ---- */

/* tag_lookup() through a small per-page cache: a page has few distinct
 * tag names, so most elements cost one strcmp instead of a bsearch.  (The
 * HTML parser copies each element's name, so the key is the text, not the
 * address.) */
struct tag_cache {
	char name[12];		/* "" when empty */
	const struct tag *tag;
};
#define TAG_CACHE 64

static const struct tag *tag_cached(struct tag_cache *c, const xmlNode *n)
{
	const char *s = (const char *)n->name;
	size_t len = s ? strlen(s) : 0, h;

	if (!len || len >= sizeof(c->name))
		return tag_lookup(n);
	h = (len * 7 + (unsigned char)s[0] * 3 + (unsigned char)s[len - 1]) &
	    (TAG_CACHE - 1);
	if (!c[h].tag || strcmp(c[h].name, s)) {
		memcpy(c[h].name, s, len + 1);
		c[h].tag = tag_lookup(n);
	}
	return c[h].tag;
}

static int assign_info(struct page *pg, xmlNode *root)
{
	size_t count = 0, i = 0;
	struct tag_cache cache[TAG_CACHE] = { { "", NULL } };

	for (xmlNode *n = root; n; n = walk_next(n, root, 1))
		count += n->type == XML_ELEMENT_NODE;
	pg->ni = calloc(count ? count : 1, sizeof(*pg->ni));
	if (!pg->ni)
		return -1;
	pg->nni = count;
	for (xmlNode *n = root; n; n = walk_next(n, root, 1))
		if (n->type == XML_ELEMENT_NODE) {
			pg->ni[i].tag = tag_cached(cache, n);
			n->_private = &pg->ni[i++];
		}
	return 0;
}

static void prune(struct page *pg, xmlNode *root)
{
	unsigned depth = 0;

	for (size_t i = 0; i < pg->nni; i++)
		memset(&pg->ni[i].text, 0,
		       sizeof(struct ni) - offsetof(struct ni, text));
	for (xmlNode *n = root; n; ) {
		struct ni *x = NI(n);
		int down = 0;

		if (x) {
			unsigned f = tflags(x);

			classify(n, x);
			if (depth >= pg->o->max_depth || (f & T_DROP) ||
			    (x->cls & CLS_HIDDEN) ||
			    (pg->prune_classes && n != root &&
			     (pg->prune_classes == PRUNE_ALL ||
			      x->ptext0 < 400 ||
			      (uint64_t)x->ptext0 * 4 < pg->body_ptext) &&
			     x->tag->id != TG_BODY && x->tag->id != TG_ARTICLE &&
			     x->tag->id != TG_MAIN && x->tag->id != TG_A &&
			     (x->cls & CLS_UNLIKELY)))
				x->drop = 1;
			else {
				x->weight = x->cweight;
				down = 1;
			}
		}
		if (down && n->children) {
			depth++;
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next) {
			n = n->parent;
			depth--;
		}
		n = n && n != root ? n->next : NULL;
	}
}

/* Byte classes for count_text, as 12-bit lanes so a chunk of up to 4095
 * bytes is counted with one table load and one add per byte. */
#define TC_NONWS (1ull << 0)
#define TC_UPPER (1ull << 12)
#define TC_LOWER (1ull << 24)
#define TC_COMMA (1ull << 36)
#define TC_LEAD (1ull << 48)	/* 0xE3 or 0xEF: may start a CJK comma */
#define TC_CHUNK 4095

static const uint64_t tc_class[256] = {
	[0 ... 8] = TC_NONWS,
	['\t' ... '\r'] = 0,	/* \t \n \v \f \r, as is_ws() */
	[14 ... 31] = TC_NONWS,
	[' '] = 0,
	['!' ... '+'] = TC_NONWS,
	[','] = TC_NONWS | TC_COMMA,
	['-' ... '@'] = TC_NONWS,
	['A' ... 'Z'] = TC_NONWS | TC_UPPER,
	['[' ... '`'] = TC_NONWS,
	['a' ... 'z'] = TC_NONWS | TC_LOWER,
	['{' ... 0xE2] = TC_NONWS,
	[0xE3] = TC_NONWS | TC_LEAD,
	[0xE4 ... 0xEE] = TC_NONWS,
	[0xEF] = TC_NONWS | TC_LEAD,
	[0xF0 ... 0xFF] = TC_NONWS,
};

/* U+FF0C fullwidth comma, U+3001 ideographic comma starting in s[0..n);
 * they may end past n (s is NUL-terminated). */
static uint32_t cjk_commas(const unsigned char *s, size_t n)
{
	uint32_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += (s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] == 0x8C) ||
		     (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x81);
	return k;
}

/* Non-space bytes, ASCII letters by case and commas of s into c. */
static void count_text(const char *str, struct tcount *c)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	while (n) {
		size_t k = n < TC_CHUNK ? n : TC_CHUNK, i = 0;
		uint64_t acc = 0;

		/* Four at a time: gcc -O2 does not unroll this itself. */
		for (; i + 4 <= k; i += 4)
			acc += tc_class[s[i]] + tc_class[s[i + 1]] +
			       tc_class[s[i + 2]] + tc_class[s[i + 3]];
		for (; i < k; i++)
			acc += tc_class[s[i]];
		c->text += (uint32_t)(acc & 0xFFF);
		c->upper += (uint32_t)(acc >> 12 & 0xFFF);
		c->lower += (uint32_t)(acc >> 24 & 0xFFF);
		c->commas += (uint32_t)(acc >> 36 & 0xFFF);
		if (acc >> 48 & 0xFFF)
			c->commas += cjk_commas(s, k);
		s += k;
		n -= k;
	}
}

/* Count n's own text (its text children) once per page: the two prune +
 * stats rounds would otherwise read every byte twice. */
static const struct tcount *own_text(xmlNode *n, struct ni *x)
{
	if (!x->own_done) {
		for (xmlNode *c = n->children; c; c = c->next)
			if ((c->type == XML_TEXT_NODE ||
			     c->type == XML_CDATA_SECTION_NODE) && c->content)
				count_text((const char *)c->content, &x->own);
		x->own_done = 1;
	}
	return &x->own;
}

static void sat_add16(uint16_t *a, uint32_t b)
{
	uint32_t s = (uint32_t)*a + b;

	*a = s > 0xFFFF ? 0xFFFF : (uint16_t)s;
}

static void sat_add32(uint32_t *a, uint32_t b)
{
	*a = *a > UINT32_MAX - b ? UINT32_MAX : *a + b;
}

/* Add a finished element's counts to its parent. */
static void roll_up(xmlNode *n)
{
	struct ni *x = NI(n), *p;
	int id;

	if (!x || x->drop || !n->parent || !(p = NI(n->parent)))
		return;
	id = x->tag->id;
	sat_add32(&p->text, x->text);
	sat_add32(&p->link, id == TG_A ? x->text : x->link);
	sat_add32(&p->commas, x->commas);
	sat_add32(&p->upper, x->upper);
	sat_add32(&p->lower, x->lower);
	if (id == TG_P && x->text >= 25 && x->link * 2 < x->text)
		sat_add32(&p->ptext, x->text);
	else
		sat_add32(&p->ptext, x->ptext);
	sat_add16(&p->paras, x->paras + (id == TG_P));
	sat_add16(&p->imgs, x->imgs + (id == TG_IMG));
	sat_add16(&p->lis, x->lis + (id == TG_LI));
	sat_add16(&p->links, x->links + (id == TG_A));
	sat_add16(&p->inputs, x->inputs + (id == TG_INPUT));
	sat_add16(&p->embeds, x->embeds + (id == TG_IFRAME ||
					   id == TG_EMBED ||
					   id == TG_OBJECT));
	if (tflags(x) & T_P_BREAKER)
		p->has_block = 1;
}

static void stats(struct page *pg, xmlNode *root)
{
	for (xmlNode *n = root; n; ) {
		struct ni *x = NI(n);
		int down = x && !x->drop;

		if (down) {
			const struct tcount *t = own_text(n, x);

			/* Sums below 2^31 (input is at most INT_MAX bytes):
			 * nothing saturates, so adding the own text first
			 * gives what adding it between the children did. */
			sat_add32(&x->text, t->text);
			sat_add32(&x->upper, t->upper);
			sat_add32(&x->lower, t->lower);
			sat_add32(&x->commas, t->commas);
		}
		if (down && n->children) {
			n = n->children;
			continue;
		}
		/* Leaving n (and every ancestor that has no next sibling). */
		for (;;) {
			if (n->type == XML_ELEMENT_NODE && n != root)
				roll_up(n);
			if (n == root) {
				n = NULL;
				break;
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
}

/* ---- pass 4: scoring ---- */

static float link_density(const struct ni *x)
{
	return x->text ? (float)x->link / (float)x->text : 0;
}

static void init_candidate(xmlNode *n)
{
	struct ni *x = NI(n);

	if (x->scored)
		return;
	x->scored = 1;
	x->score = (float)(x->tag->weight + x->weight);
}

static int is_paragraph(const xmlNode *n, const struct ni *x)
{
	unsigned f = tflags(x);

	return (f & T_PARA) || ((f & T_DIVLIKE) && !x->has_block);
}

static xmlNode *score(struct page *pg, xmlNode *root)
{
	xmlNode *best = NULL;
	float bs = 0;

	for (xmlNode *n = root; n; ) {
		struct ni *x = NI(n);
		int down = x && !x->drop;

		if (down && x->text >= 25 && is_paragraph(n, x)) {
			float s = 1.0f + (float)x->commas +
				  (float)(x->text / 100 > 3 ? 3 : x->text / 100);
			xmlNode *a = n->parent;

			for (int lvl = 0; a && NI(a) && lvl < 5;
			     lvl++, a = a->parent) {
				init_candidate(a);
				NI(a)->score += lvl == 0 ? s :
						lvl == 1 ? s / 2 : s / (lvl * 3);
				if (a == root)
					break;
			}
		}
		n = walk_next(n, root, down);
	}
	for (xmlNode *n = root; n; ) {
		struct ni *x = NI(n);
		int down = x && !x->drop;

		if (down && x->scored) {
			x->score *= 1.0f - link_density(x);
			if (!best || x->score > bs) {
				best = n;
				bs = x->score;
			}
		}
		n = walk_next(n, root, down);
	}
	return best;
}

/* A marked article body that holds most of the page's kept text is the
 * answer whatever the scores say. */
static xmlNode *marked_body(struct page *pg, xmlNode *root)
{
	xmlNode *found = NULL;
	int count = 0;
	const struct ni *rx = NI(root);

	for (xmlNode *n = root; n; ) {
		struct ni *x = NI(n);
		int down = x && !x->drop;
		const char *v;

		if (down && (v = attr(n, "itemprop")) &&
		    has_token(v, (const char *const[]){ "articleBody", NULL })) {
			count++;
			if (!found)
				found = n;
			down = 0;
		}
		n = walk_next(n, root, down);
	}
	if (count != 1 || !rx)
		return NULL;
	if (NI(found)->text < 500 || link_density(NI(found)) > 0.5f)
		return NULL;
	(void)pg;
	return found;
}

/* ---- pass 5: output ---- */

struct out {
	struct buf *b;
	int nl;			/* pending line breaks: 0, 1 or 2 */
	int sp;			/* pending space */
	int full;		/* cap reached, or out of memory */
	int nomem;		/* out of memory */
};

static void out_raw(struct out *o, const char *p, size_t n)
{
	if (o->full)
		return;
	int rc = buf_add(o->b, p, n);

	if (rc == BUF_OK)
		return;
	o->full = 1;
	if (rc != BUF_TOOBIG) {
		o->nomem = 1;
		return;
	}
	size_t room = o->b->cap > o->b->len ? o->b->cap - o->b->len : 0;

	if (room >= n)
		room = n;
	while (room && ((unsigned char)p[room] & 0xC0) == 0x80)
		room--;
	if (room)
		buf_add(o->b, p, room);
}

static void out_break(struct out *o, int nl)
{
	if (nl > o->nl)
		o->nl = nl;
}

static void out_flush(struct out *o)
{
	if (o->b->len) {
		if (o->nl)
			out_raw(o, "\n\n", (size_t)o->nl);
		else if (o->sp)
			out_raw(o, " ", 1);
	}
	o->nl = o->sp = 0;
}

/* Is p at a space for out_text (whitespace or U+00A0)? */
static int out_space(const unsigned char *p)
{
	return is_ws(*p) || (p[0] == 0xC2 && p[1] == 0xA0);
}

static const unsigned char *word_end(const unsigned char *p)
{
	while (*p && !out_space(p))
		p++;
	return p;
}

/* Bytes that may end a span: the NUL, whitespace, and 0xC2 (U+00A0 starts
 * with it). */
static const uint8_t span_stop[256] = {
	[0] = 1, ['\t' ... '\r'] = 1, [' '] = 1, [0xC2] = 1,
};

/* End of the words from p on that are separated by single ' ': collapsing
 * leaves such a run as it is, so it is copied in one piece rather than a
 * word at a time.  It may end early (at a ' ' before a 0xC2 that is not
 * U+00A0): the caller then writes the space and goes on, same bytes. */
static const unsigned char *span_end(const unsigned char *p)
{
	for (;;) {
		while (!span_stop[*p])
			p++;
		if (p[0] == 0xC2 && p[1] != 0xA0)
			p++;
		else if (p[0] == ' ' && !span_stop[p[1]])
			p += 2;
		else
			return p;
	}
}

static void out_text(struct out *o, const char *s, int pre)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p && !o->full) {
		if (pre && (*p == '\n' || *p == '\r')) {
			out_break(o, 1);
			p++;
			continue;
		}
		if (pre && (*p == ' ' || *p == '\t')) {
			/* Preformatted text keeps its indentation. */
			out_flush(o);
			out_raw(o, (const char *)p, 1);
			p++;
			continue;
		}
		if (is_ws(*p) || (p[0] == 0xC2 && p[1] == 0xA0)) {
			o->sp = 1;
			p += *p == 0xC2 ? 2 : 1;
			continue;
		}
		const unsigned char *q = pre ? word_end(p) : span_end(p);

		out_flush(o);
		out_raw(o, (const char *)p, (size_t)(q - p));
		p = q;
	}
}

/* First non-blank text below n starts with one of words (ASCII case
 * folded)? */
static int lead_is(const xmlNode *n, const char *const *words)
{
	for (xmlNode *c = n->children; c; c = walk_next(c, n, 1)) {
		const char *t;

		if (c->type != XML_TEXT_NODE || !c->content)
			continue;
		t = (const char *)c->content;
		while (is_ws((unsigned char)*t))
			t++;
		if (!*t)
			continue;
		for (; *words; words++)
			if (!strncasecmp(t, *words, strlen(*words)))
				return 1;
		return 0;
	}
	return 0;
}

/* A paragraph that is mostly links: a row of links, a shouting headline
 * of another story, or a "read more:" teaser.  A single link that reads
 * as a sentence is kept (product names, "more ideas here!"). */
static int link_para_junk(const xmlNode *n, const struct ni *x)
{
	static const char *const teasers[] = {
		"read more", "see more", "more:", "related", "also read",
		"read also", "see also", "recommended", "watch:", "click here",
		NULL,
	};

	if (x->links >= 2 && x->link * 10 > x->text * 7)
		return 1;
	if (x->upper > 8 && x->upper > 2 * x->lower)
		return 1;
	return lead_is(n, teasers);
}

/* Does the text below n (its first 1 KiB) contain one of words (lower
 * case; the text is ASCII case folded)? */
static int text_has(const xmlNode *n, const char *const *words)
{
	char t[1024];
	size_t k = 0;

	for (xmlNode *c = n->children; c && k < sizeof(t) - 1;
	     c = walk_next(c, n, 1)) {
		if (c->type != XML_TEXT_NODE || !c->content)
			continue;
		size_t l = strlen((const char *)c->content);

		if (l > sizeof(t) - 1 - k)
			l = sizeof(t) - 1 - k;
		for (size_t i = 0; i < l; i++)
			t[k + i] = (char)tolower(c->content[i]);
		k += l;
	}
	t[k] = '\0';
	for (; *words; words++)	/* words are lower case */
		if (strstr(t, *words))
			return 1;
	return 0;
}

/* A short legal line: "Copyright 2019 X. All rights reserved." */
static int legal_line(const xmlNode *n, const struct ni *x)
{
	static const char *const legal[] = {
		"copyright", "all rights reserved", "\xC2\xA9", NULL,
	};

	return x->text < 300 && text_has(n, legal);
}

/* Is all the text below n inside <em>/<i> (below n)? */
static int italic_only(const xmlNode *n)
{
	int any = 0;

	for (xmlNode *c = n->children; c; c = walk_next(c, n, 1)) {
		const xmlNode *a;
		const char *t;

		if (c->type != XML_TEXT_NODE || !c->content)
			continue;
		for (t = (const char *)c->content; is_ws((unsigned char)*t); t++)
			;
		if (!*t)
			continue;
		for (a = c->parent; a && a != n; a = a->parent)
			if (is_tag(a, TG_EM) || is_tag(a, TG_I))
				break;
		if (a == n || !a)
			return 0;
		any = 1;
	}
	return any;
}

/* A short italic line right after a picture is its caption. */
static int caption_line(const xmlNode *n, const struct ni *x)
{
	const xmlNode *prev = n->prev;

	if (x->text >= 150)
		return 0;
	while (prev && prev->type != XML_ELEMENT_NODE)
		prev = prev->prev;
	if (!prev || !(is_tag(prev, TG_IMG) || is_tag(prev, TG_PICTURE) ||
		       (NI(prev) && NI(prev)->imgs && NI(prev)->text == 0)))
		return 0;
	return italic_only(n);
}

/* Conditional cleaning: a nested block that looks like a link list, an
 * image gallery or a form is not part of the article. */
static int junk_block(const xmlNode *n, const struct ni *x)
{
	unsigned f = tflags(x);
	float ld = link_density(x);
	int list = (f & T_LIST) != 0;

	if (x->tag->id == TG_H1)	/* the page title, said again */
		return 1;
	if (f & T_HEADING)
		return x->weight < 0 || ld > 0.33f;
	if (is_paragraph(n, x) && (legal_line(n, x) || caption_line(n, x)))
		return 1;
	if (f & T_PARA)
		return x->text && ld > 0.5f && link_para_junk(n, x);
	if (!(f & T_CLEAN))
		return 0;
	/* A bad class name does not outweigh plain prose. */
	if ((float)x->weight + (x->scored ? x->score : 0) < 0 &&
	    !(x->ptext * 10 >= x->text * 9 && ld < 0.2f))
		return 1;
	if (x->commas >= 10)
		return 0;
	/* A one- or two-item list of links inside the text is part of it
	 * ("Get it at the store"); a list of related stories is longer. */
	if (list && x->lis <= 2 && !x->imgs && x->weight >= 0)
		return 0;
	if (x->imgs > 1 && x->paras * 2 < x->imgs)
		return 1;
	if (x->imgs && !x->paras && x->text < 100)	/* picture + caption */
		return 1;
	if (!list && x->lis > x->paras + 10)
		return 1;
	if (x->inputs * 3 > x->paras)
		return 1;
	if (!list && x->text < 25 && (x->imgs == 0 || x->imgs > 2) &&
	    !x->paras)
		return 1;
	if (x->weight < 25 && ld > 0.2f)
		return 1;
	if (x->weight >= 25 && ld > 0.5f)
		return 1;
	if (x->embeds == 1 && x->text < 75)
		return 1;
	if (x->embeds > 1)
		return 1;
	return 0;
}

static void write_tree(struct out *o, xmlNode *top)
{
	int pre = 0;
	xmlNode *pre_node = NULL;

	for (xmlNode *n = top; n && !o->full; ) {
		struct ni *x = NI(n);
		int down = 0;
		unsigned f = 0;

		if (x) {
			f = tflags(x);
			down = !x->drop && (n == top || x->keep ||
					    !junk_block(n, x));
			if (down) {
				if (f & T_BLOCK)
					out_break(o, 2);
				else if (f & T_LINE)
					out_break(o, 1);
				else if (f & T_CELL)
					o->sp = 1;
				if (x->tag->id == TG_PRE && !pre) {
					pre = 1;
					pre_node = n;
				}
			}
		} else if ((n->type == XML_TEXT_NODE ||
			    n->type == XML_CDATA_SECTION_NODE) && n->content) {
			out_text(o, (const char *)n->content, pre);
		}
		if (down && n->children) {
			n = n->children;
			continue;
		}
		/* Leaving n and the ancestors without a next sibling. */
		for (;;) {
			if (n->type == XML_ELEMENT_NODE && NI(n) && !NI(n)->drop) {
				unsigned lf = tflags(NI(n));

				if (lf & T_BLOCK)
					out_break(o, 2);
				else if (lf & T_LINE)
					out_break(o, 1);
				else if (lf & T_CELL)
					o->sp = 1;
				if (n == pre_node)
					pre = 0;
			}
			if (n == top) {
				n = NULL;
				break;
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
}

/* Does sibling s belong with the winner (readability's sibling rule)? */
static int good_sibling(const xmlNode *s, const xmlNode *best, float thr)
{
	const struct ni *x = NI(s);
	const char *c1, *c2;
	float bonus = 0;

	if (!x || x->drop)
		return 0;
	c1 = attr(s, "class");
	c2 = attr(best, "class");
	if (c1 && c2 && *c1 && !strcmp(c1, c2))
		bonus = NI(best)->score * 0.2f;
	if (x->scored && x->score + bonus >= thr)
		return 1;
	if (x->tag->id == TG_P) {
		float ld = link_density(x);

		if (x->text > 80 && ld < 0.25f)
			return 1;
		if (x->text > 0 && x->text <= 80 && ld == 0 && x->commas == 0)
			return 0;
	}
	return 0;
}

static void write_main(struct page *pg, xmlNode *best, float top,
		       struct out *o)
{
	xmlNode *parent = best->parent;
	float thr = (NI(best)->score > top ? NI(best)->score : top) * 0.2f;

	if (thr < 10)
		thr = 10;
	if (!parent || !NI(parent) || best == pg->body) {
		write_tree(o, best);
		return;
	}
	for (xmlNode *s = parent->children; s; s = s->next)
		if (s == best || good_sibling(s, best, thr))
			write_tree(o, s);
}

/* Climb while the winner is an only child: its parent holds the same text
 * plus whatever siblings we may want. */
static xmlNode *climb(xmlNode *best, xmlNode *root)
{
	while (best != root && best->parent && NI(best->parent)) {
		int elems = 0;

		for (xmlNode *c = best->parent->children; c; c = c->next)
			elems += c->type == XML_ELEMENT_NODE &&
				 !NI(c)->drop && NI(c)->text > 0;
		if (elems != 1)
			break;
		best = best->parent;
	}
	return best;
}

/* An article cut in sections by figures or ads has its paragraphs under
 * several containers: go up to the highest ancestor (a few levels at most)
 * whose extra text is mostly clean paragraphs with few links. */
static xmlNode *widen(xmlNode *best, xmlNode *root)
{
	const struct ni *b = NI(best);
	xmlNode *pick = best, *a = best;
	uint32_t most = b->ptext;

	for (int lvl = 0; lvl < 6 && a != root && a->parent && NI(a->parent);
	     lvl++) {
		a = a->parent;
		const struct ni *x = NI(a);
		uint32_t added = x->text - b->text, added_p = x->ptext - b->ptext;
		uint32_t added_l = x->link - b->link;

		if (!added)
			continue;
		if (a == root || x->tag->id == TG_BODY)
			break;
		/* The lowest of the ancestors that add the most paragraphs. */
		if (added_p * 10 >= added * 6 && added_l * 5 <= added &&
		    added_p >= 100 && x->ptext > most) {
			pick = a;
			most = x->ptext;
		}
	}
	for (a = best; a != pick; a = a->parent)
		NI(a)->keep = 1;
	return pick;
}

/* Where the last paragraph of b starts: after its last "\n\n", else 0. */
static size_t last_para(const struct buf *b)
{
	size_t end = b->len;
	const char *nl;

	while (end >= 2 && (nl = memrchr(b->data + 1, '\n', end - 1))) {
		if (nl[-1] == '\n')
			return (size_t)(nl - b->data) + 1;
		end = (size_t)(nl - b->data);
	}
	return 0;
}

/* Credit and follow-us lines that close many news articles ("Write to
 * X at x@y.com", "Follow him on Twitter", "(Reporting by ...)"): drop up to
 * two short closing paragraphs that read like that. */
static void trim_tail(struct buf *b)
{
	static const char *const leads[] = {
		"follow ", "write to ", "contact ", "(reporting by",
		"reporting by", "editing by", "additional reporting",
		"via ", NULL,
	};
	static const char *const inside[] = {
		"on twitter", "on facebook", "on instagram", "full coverage",
		NULL,
	};

	for (int k = 0; k < 2 && b->len; k++) {
		size_t start = last_para(b);
		const char *last = b->data + start;

		/* Never the only paragraph: that would leave nothing. */
		if (start == 0 || b->len - start > 300)
			return;
		int hit = 0;

		for (const char *const *w = leads; *w && !hit; w++)
			hit = !strncasecmp(last, *w, strlen(*w));
		for (const char *const *w = inside; *w && !hit; w++)
			hit = strcasestr(last, *w) != NULL;
		/* A label left without what it introduced: "You may also
		 * like:" before a dropped list. */
		if (b->len - start < 60 && b->data[b->len - 1] == ':')
			hit = 1;
		if (!hit)
			return;
		b->len = start - 2;
		b->data[b->len] = '\0';
	}
}

static int run(struct page *pg, struct out *o)
{
	xmlNode *root = pg->body, *best;
	float top;

	prune(pg, root);
	stats(pg, root);
	best = marked_body(pg, root);
	if (best) {
		write_tree(o, best);
		return 0;
	}
	best = score(pg, root);
	if (!best)
		best = root;
	top = NI(best)->score;
	best = climb(widen(best, root), root);
	write_main(pg, best, top, o);
	trim_tail(o->b);
	return 0;
}

/* Measure the prose before any class/id rule, so PRUNE_SMALL knows which
 * elements hold much of it. */
static void measure_prose(struct page *pg)
{
	pg->prune_classes = PRUNE_NONE;
	prune(pg, pg->body);
	stats(pg, pg->body);
	for (size_t i = 0; i < pg->nni; i++)
		pg->ni[i].ptext0 = pg->ni[i].ptext;
	pg->body_ptext = NI(pg->body) ? NI(pg->body)->ptext : 0;
}

/* Run the passes; when class/id pruning left too little text (it probably
 * hit the article's wrapper), run them again without it and keep the
 * longer result if it is much longer.  Returns -1 when out of memory. */
static int extract_main(struct page *pg, struct extract_result *r)
{
	struct out o = { .b = &r->text };
	struct buf first;

	measure_prose(pg);
	pg->prune_classes = PRUNE_SMALL;
	run(pg, &o);
	r->truncated = o.full && !o.nomem;
	if (o.nomem)
		return -1;
	if (r->text.len >= 250 || o.full || !NI(pg->body))
		return 0;
	first = r->text;
	buf_init(&r->text, first.cap);
	o = (struct out){ .b = &r->text };
	pg->prune_classes = PRUNE_NONE;
	run(pg, &o);
	if (o.nomem || r->text.len < first.len * 2) {
		buf_release(&r->text);
		r->text = first;
		return 0;
	}
	buf_release(&first);
	r->truncated = o.full;
	return 0;
}

int extract_html(const char *utf8, size_t n, const struct extract_opts *opts,
		 struct extract_result *r, struct sl_err *err)
{
	struct extract_opts def;
	struct page pg = { 0 };
	xmlNode *top;
	int rc = 0;

	if (!opts) {
		extract_opts_init(&def);
		opts = &def;
	}
	if (n > opts->max_input || n > INT_MAX)
		return sl_error(err, "cannot extract: page of %zu bytes is over "
				"the %zu byte limit", n, opts->max_input);
	extract_result_release(r);
	r->text.cap = opts->max_text;
	pg.o = opts;
	pg.r = r;
	if (!n)
		return 0;
	pg.doc = htmlReadMemory(utf8, (int)n, NULL, "UTF-8",
				HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
				HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
	if (!pg.doc)
		return 0;
	/* Content after </html> is rare; walk from the root element only. */
	top = xmlDocGetRootElement(pg.doc);
	if (top) {
		rc = assign_info(&pg, top) < 0 || meta_pass(&pg, top) < 0 ? -1 : 0;
		if (!rc) {
			if (!pg.body)
				pg.body = top;
			rc = extract_main(&pg, r);
		}
		if (rc)
			rc = sl_error(err, "cannot extract: out of memory");
	}
	free(pg.lset);
	free(pg.ni);
	xmlFreeDoc(pg.doc);
	return rc;
}
