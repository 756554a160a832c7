/*
 * report_html.c: the HTML page of `sluice report --html` (see
 * report_html.h).
 *
 * Page order follows the pipeline: summary cards, the funnel (a chart for
 * documents, one for bytes, and the table with every count), drop reasons,
 * document lengths, languages and sources, near-duplicate clusters,
 * classifier scores, crawl, labeling, run history.  Writes are sticky on
 * the first buffer error (struct page), so the functions stay linear.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html.h"
#include "../lib/buf.h"
#include "../lib/svg.h"
#include "../store/report.h"
#include "../lib/banned.h"

struct page {
	struct buf *b;
	int rc;
};

__attribute__((format(printf, 2, 3)))
static void put(struct page *p, const char *fmt, ...)
{
	va_list ap;
	char small[1024];
	int n;

	if (p->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	p->rc = n < 0 || (size_t)n >= sizeof(small) ? BUF_TOOBIG :
		buf_add(p->b, small, (size_t)n);
}

/* Text too long for put()'s buffer, copied as is. */
static void raw(struct page *p, const char *s)
{
	if (!p->rc)
		p->rc = buf_adds(p->b, s);
}

static void esc(struct page *p, const char *s)
{
	if (!p->rc)
		p->rc = svg_escape(p->b, s ? s : "-", 0);
}

static const char *num(char *dst, size_t cap, long long v)
{
	svg_thousands(dst, cap, v);
	return dst;
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"'Helvetica Neue',Arial,sans-serif;color:#1f2933;background:#f5f7fa;"
	"margin:0}\n"
	"header{background:#1f2933;color:#fff;padding:18px 32px}\n"
	"header h1{margin:0;font-size:22px;font-weight:600}\n"
	"header p{margin:4px 0 0;color:#cbd2d9;font-size:13px}\n"
	"main{max-width:1120px;margin:0 auto;padding:8px 24px 40px}\n"
	"section{background:#fff;border:1px solid #e4e7eb;border-radius:8px;"
	"padding:14px 20px;margin:16px 0}\n"
	"h2{font-size:17px;margin:0 0 10px;font-weight:600}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(128px,1fr));gap:10px}\n"
	".card{border:1px solid #e4e7eb;border-radius:6px;padding:10px 12px}\n"
	".card .num{font-size:21px;font-weight:600}\n"
	".card .lbl{color:#616e7c;font-size:11px;text-transform:uppercase;"
	"letter-spacing:.04em}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(480px,1fr));gap:14px 24px;align-items:start}\n"
	"figure{margin:0}\n"
	"figcaption{font-weight:600;font-size:13px;color:#3e4c59;"
	"margin-bottom:4px}\n"
	"svg.chart{max-width:100%;height:auto;font-size:13px}\n"
	"svg.chart text{fill:#3e4c59}\n"
	"svg.chart text.value,svg.chart text.tick{fill:#616e7c}\n"
	"svg.chart text.empty{fill:#9aa5b1;font-style:italic}\n"
	".s0{fill:#4e79a7}.s1{fill:#f28e2b}.s2{fill:#59a14f}.s3{fill:#e15759}\n"
	"line.gridline{stroke:#e4e7eb}line.axis{stroke:#9aa5b1}\n"
	"line.marker{stroke:#e15759;stroke-width:2;stroke-dasharray:5 3}\n"
	"svg.chart text.marker-label{fill:#e15759}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px;"
	"margin-top:10px;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;"
	"text-align:right}\n"
	"th{color:#52606d;font-weight:600}\n"
	"th:first-child,td:first-child{text-align:left}\n"
	".absent{color:#7b8794;font-style:italic;margin:4px 0}\n"
	".note{color:#616e7c;font-size:12px;margin:6px 0 0}\n"
	"caption{text-align:left;margin-bottom:4px}\n";

static void head(struct page *p, const char *store, const char *generated)
{
	put(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>sluice report: ");
	esc(p, store);
	put(p, "</title>\n<style>\n");
	raw(p, css);
	put(p, "</style>\n</head>\n<body>\n<header>\n<h1>sluice report</h1>\n"
	    "<p>store ");
	esc(p, store);
	put(p, " &#183; generated ");
	esc(p, generated);
	put(p, "</p>\n</header>\n<main>\n");
}

static void card(struct page *p, const char *id, long long v,
		 const char *label, const char *sub)
{
	char n[40];

	put(p, "<div class=\"card\" id=\"card-%s\"><div class=\"num\" "
	    "data-value=\"%lld\">%s</div><div class=\"lbl\">%s</div>", id, v,
	    num(n, sizeof(n), v), label);
	if (sub)
		put(p, "<div class=\"note\">%s</div>", sub);
	put(p, "</div>\n");
}

static void summary(struct page *p, const struct report *r)
{
	char pct[64], mb[64];

	snprintf(pct, sizeof(pct), "%.1f%% of documents",
		 r->docs ? 100.0 * (double)r->kept_docs / (double)r->docs : 0);
	snprintf(mb, sizeof(mb), "%.1f MB", (double)r->text_bytes / 1e6);
	put(p, "<section id=\"summary\">\n<h2>Corpus</h2>\n<div class=\"cards\">\n");
	card(p, "docs", r->docs, "documents", NULL);
	card(p, "bytes", r->text_bytes, "bytes of text", mb);
	card(p, "chars", r->chars, "characters", NULL);
	card(p, "kept", r->kept_docs, "documents kept", pct);
	snprintf(mb, sizeof(mb), "%.1f MB", (double)r->kept_bytes / 1e6);
	card(p, "kept-bytes", r->kept_bytes, "bytes kept", mb);
	put(p, "<div class=\"card\" id=\"card-tokens\"><div class=\"num\">-"
	    "</div><div class=\"lbl\">tokens kept</div><div class=\"note\">"
	    "not counted yet</div></div>\n");
	card(p, "stages", (long long)r->nstages, "filter stages run", NULL);
	put(p, "</div>\n<p class=\"note\">Kept: documents no filter stage "
	    "dropped.  Bytes are the documents' UTF-8 text as imported.</p>\n"
	    "</section>\n");
}

/* <figure> with the chart; columns picks the shape. */
static void figure(struct page *p, const struct svg_chart *c, int columns)
{
	if (p->rc)
		return;
	put(p, "<figure>\n<figcaption>");
	esc(p, c->title);
	put(p, "</figcaption>\n");
	if (!p->rc)
		p->rc = columns ? svg_columns(p->b, c) : svg_hbars(p->b, c);
	put(p, "</figure>\n");
}

static void absent(struct page *p, const char *id, const char *what)
{
	put(p, "<p class=\"absent\" id=\"%s-absent\">%s</p>\n", id, what);
}

/* A chart over a report_counts: one series, its labels and values. */
static void counts_chart(struct page *p, const char *id, const char *title,
			 const char *desc, const char *unit,
			 const struct report_counts *c)
{
	double *v = calloc(c->n + 1, sizeof(*v));
	const char **l = calloc(c->n + 1, sizeof(*l));
	struct svg_chart ch = {
		.id = id, .title = title, .desc = desc, .unit = unit,
		.n = c->n, .labels = l, .nseries = 1,
		.series = { { unit, v } },
	};

	if (!v || !l) {
		p->rc = BUF_NOMEM;
	} else {
		for (size_t i = 0; i < c->n; i++) {
			v[i] = (double)c->v[i].n;
			l[i] = c->v[i].label ? c->v[i].label : "-";
		}
		figure(p, &ch, 0);
	}
	free(v);
	free(l);
}

static void funnel_table(struct page *p, const struct report *r)
{
	char a[40], b[40], c[40], d[40], e[40], f[40];

	put(p, "<table id=\"funnel-table\">\n<caption class=\"note\">Documents "
	    "and bytes entering and leaving each stage, in pipeline order"
	    "</caption>\n<thead><tr><th>stage</th><th>in</th><th>kept</th>"
	    "<th>dropped</th><th>flagged</th><th>bytes in</th><th>bytes out"
	    "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->nstages; i++) {
		const struct report_stage *s = &r->stages[i];

		put(p, "<tr><td>");
		esc(p, s->name);
		put(p, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s</td><td>%s</td></tr>\n", num(a, 40, s->in),
		    num(b, 40, s->kept), num(c, 40, s->dropped),
		    num(d, 40, s->flagged), num(e, 40, s->bytes_in),
		    num(f, 40, s->bytes_out));
	}
	put(p, "</tbody>\n</table>\n");
}

static void funnel(struct page *p, const struct report *r)
{
	size_t n = r->nstages;
	double *v = calloc(4 * n + 1, sizeof(*v));
	const char **l = calloc(n + 1, sizeof(*l));
	struct svg_chart docs = {
		.id = "chart-funnel-docs", .title = "Documents in and out of "
		"each stage", .desc = "For each filter stage in pipeline "
		"order, the documents it judged (in) and those it did not "
		"drop (out: kept or flagged).", .unit = "documents", .n = n,
		.labels = l, .nseries = 2,
		.series = { { "in", v }, { "out", v + n } },
	}, bytes = docs;

	bytes.id = "chart-funnel-bytes";
	bytes.title = "Bytes in and out of each stage";
	bytes.desc = "For each filter stage, the bytes of text of the "
		     "documents it judged (in) and of those it did not drop.";
	bytes.unit = "bytes";
	bytes.series[0].v = v + 2 * n;
	bytes.series[1].v = v + 3 * n;
	put(p, "<section id=\"funnel\">\n<h2>Funnel</h2>\n");
	if (!n)
		absent(p, "funnel", "No filter stage has run on this store yet "
		       "('sluice filter').");
	if (!v || !l) {
		p->rc = BUF_NOMEM;
	} else if (n) {
		for (size_t i = 0; i < n; i++) {
			const struct report_stage *s = &r->stages[i];

			l[i] = s->name;
			v[i] = (double)s->in;
			v[n + i] = (double)(s->kept + s->flagged);
			v[2 * n + i] = (double)s->bytes_in;
			v[3 * n + i] = (double)s->bytes_out;
		}
		put(p, "<div class=\"charts\">\n");
		figure(p, &docs, 0);
		figure(p, &bytes, 0);
		put(p, "</div>\n");
		funnel_table(p, r);
	}
	put(p, "</section>\n");
	free(v);
	free(l);
}

static void reasons(struct page *p, const struct report *r)
{
	struct report_counts all = { 0 };
	struct buf names;
	size_t total = 0, k = 0;
	size_t *offs;

	for (size_t i = 0; i < r->nstages; i++)
		total += r->stages[i].reasons.n;
	buf_init(&names, 0);
	offs = calloc(total + 1, sizeof(*offs));
	all.v = calloc(total + 1, sizeof(*all.v));
	if (!offs || !all.v)
		p->rc = BUF_NOMEM;
	/* label "stage: reason", "(flag)" for flags; offsets first because
	 * the buffer moves as it grows */
	for (size_t i = 0; i < r->nstages && !p->rc; i++) {
		const struct report_stage *s = &r->stages[i];

		for (size_t j = 0; j < s->reasons.n && !p->rc; j++, k++) {
			const struct report_count *c = &s->reasons.v[j];

			offs[k] = names.len;
			p->rc = buf_addf(&names, "%s: %s%s", s->name, c->label,
					 c->extra && !strcmp(c->extra, "flag") ?
					 " (flag)" : "");
			if (!p->rc)
				p->rc = buf_addc(&names, 0);
			all.v[k].n = c->n;
		}
	}
	for (size_t i = 0; i < k && !p->rc; i++)
		all.v[i].label = names.data + offs[i];
	all.n = k;
	put(p, "<section id=\"reasons\">\n<h2>Drop reasons</h2>\n");
	counts_chart(p, "chart-reasons", "Documents dropped or flagged, by "
		     "stage and reason", "Each bar is one stage's reason "
		     "code and the documents it dropped (or flagged).",
		     "documents", &all);
	put(p, "</section>\n");
	free(offs);
	free(all.v);
	buf_release(&names);
}

static void lengths_and_langs(struct page *p, const struct report *r)
{
	double kept[REPORT_LEN_BINS], dropped[REPORT_LEN_BINS];
	const char *l[REPORT_LEN_BINS];
	struct svg_chart c = {
		.id = "chart-length", .title = "Document length (characters, "
		"log scale): kept vs dropped", .desc = "Histogram of "
		"document lengths in characters, in bins doubling in size, "
		"for documents kept and documents some stage dropped.",
		.unit = "documents", .n = REPORT_LEN_BINS, .labels = l,
		.nseries = 2, .series = { { "kept", kept },
					  { "dropped", dropped } },
	};

	for (size_t i = 0; i < REPORT_LEN_BINS; i++) {
		kept[i] = (double)r->len_kept[i];
		dropped[i] = (double)r->len_dropped[i];
		l[i] = report_len_label(i);
	}
	put(p, "<section id=\"documents\">\n<h2>Documents</h2>\n"
	    "<div class=\"charts\">\n");
	figure(p, &c, 1);
	counts_chart(p, "chart-languages", "Languages (top 20)", "Documents "
		     "per language code; '-' is unknown.", "documents",
		     &r->langs);
	counts_chart(p, "chart-sources", "Sources (top 20)", "Documents per "
		     "source.", "documents", &r->sources);
	put(p, "</div>\n</section>\n");
}

static void dedup_and_scores(struct page *p, const struct report *r)
{
	double cl[REPORT_CLUSTER_BINS], sc[REPORT_SCORE_BINS];
	const char *cll[REPORT_CLUSTER_BINS], *scl[REPORT_SCORE_BINS];
	char thr[64];
	struct svg_chart clusters = {
		.id = "chart-clusters", .title = "Near-duplicate cluster sizes",
		.desc = "Number of MinHash clusters of each size (documents "
		"per cluster).", .unit = "clusters", .n = REPORT_CLUSTER_BINS,
		.labels = cll, .nseries = 1, .series = { { "clusters", cl } },
	}, scores = {
		.id = "chart-scores", .title = "Classifier scores",
		.desc = "Histogram of the classify stage's scores, with its "
		"threshold when recorded.", .unit = "documents",
		.n = REPORT_SCORE_BINS, .labels = scl, .nseries = 1,
		.series = { { "documents", sc } }, .marker = r->has_threshold,
		.marker_at = r->threshold * REPORT_SCORE_BINS,
		.marker_label = thr,
	};
	char n1[40], n2[40];

	snprintf(thr, sizeof(thr), "threshold %.3g", r->threshold);
	for (size_t i = 0; i < REPORT_CLUSTER_BINS; i++) {
		cl[i] = (double)r->cluster_bins[i];
		cll[i] = report_cluster_label(i);
	}
	for (size_t i = 0; i < REPORT_SCORE_BINS; i++) {
		sc[i] = (double)r->score_bins[i];
		scl[i] = report_score_label(i);
	}
	put(p, "<section id=\"dedup\">\n<h2>Near duplicates and classifier"
	    "</h2>\n<div class=\"charts\">\n<div>\n");
	if (r->has_minhash) {
		figure(p, &clusters, 1);
		put(p, "<p class=\"note\">%s clusters over %s documents.</p>\n",
		    num(n1, 40, r->clusters), num(n2, 40, r->clustered_docs));
	} else {
		absent(p, "dedup", "No near-duplicate table in this store.");
	}
	put(p, "</div>\n<div>\n");
	if (r->has_classify)
		figure(p, &scores, 1);
	else
		absent(p, "classify", "No verdicts of a stage named "
		       "'classify': the classifier has not run.");
	put(p, "</div>\n</div>\n</section>\n");
}

static void crawl(struct page *p, const struct report *r)
{
	double t[REPORT_FETCH_BINS];
	const char *l[REPORT_FETCH_BINS];
	struct svg_chart times = {
		.id = "chart-crawl-time", .title = "Fetch time", .desc =
		"Histogram of fetch durations, in bins tripling in size.",
		.unit = "fetches", .n = REPORT_FETCH_BINS, .labels = l,
		.nseries = 1, .series = { { "fetches", t } },
	};
	char a[40], b[40], c[40];

	put(p, "<section id=\"crawl\">\n<h2>Crawl</h2>\n");
	if (!r->has_crawl || !r->crawl_runs) {
		absent(p, "crawl", "No crawl in this store: the crawler has "
		       "not run here.");
		put(p, "</section>\n");
		return;
	}
	for (size_t i = 0; i < REPORT_FETCH_BINS; i++) {
		t[i] = (double)r->fetch_bins[i];
		l[i] = report_fetch_label(i);
	}
	put(p, "<p class=\"note\">Crawl runs: %s; fetches: %s; bytes "
	    "fetched: %s.</p>\n"
	    "<div class=\"charts\">\n", num(a, 40, r->crawl_runs),
	    num(b, 40, r->fetches), num(c, 40, r->fetch_bytes));
	counts_chart(p, "chart-crawl-status", "HTTP status codes", "Fetches "
		     "per HTTP status; 0 means no response.", "fetches",
		     &r->statuses);
	figure(p, &times, 1);
	counts_chart(p, "chart-crawl-hosts", "Pages per host (top 20)",
		     "Pages fetched per origin.", "pages", &r->hosts);
	put(p, "</div>\n</section>\n");
}

static void labeling(struct page *p, const struct report *r)
{
	char a[40], b[40], c[40];

	put(p, "<section id=\"labeling\">\n<h2>Labeling</h2>\n");
	if (!r->has_labels) {
		absent(p, "labeling", "No labeling task in this store: "
		       "nothing has been labeled.");
		put(p, "</section>\n");
		return;
	}
	put(p, "<p class=\"note\" id=\"labeling-rows\">%s tasks, %s "
	    "annotations, %s final labels.</p>\n<div class=\"charts\">\n",
	    num(a, 40, r->tasks), num(b, 40, r->annotations),
	    num(c, 40, r->finals));
	counts_chart(p, "chart-label-tasks", "Annotations per task",
		     "Decisions recorded by annotators, per labeling task.",
		     "annotations", &r->task_annotations);
	counts_chart(p, "chart-label-finals", "Final labels",
		     "Documents per final label (task: label), top 30.",
		     "documents", &r->final_labels);
	put(p, "</div>\n</section>\n");
}

static void runs_table(struct page *p, const struct report *r)
{
	char a[40], b[40];

	put(p, "<table id=\"runs-table\">\n<thead><tr><th>run</th><th>started"
	    "</th><th>status</th><th>seconds</th><th>added</th><th>filtered"
	    "</th><th>pipeline</th></tr></thead>\n<tbody>\n");
	for (size_t i = r->nruns; i-- > 0;) {
		const struct report_run *u = &r->runs[i];

		put(p, "<tr><td>%lld</td><td>", u->id);
		esc(p, u->started);
		put(p, "</td><td>");
		esc(p, u->status);
		if (isnan(u->seconds))
			put(p, "</td><td>-");
		else
			put(p, "</td><td>%.1f", u->seconds);
		put(p, "</td><td>%s</td><td>%s</td><td>", num(a, 40, u->added),
		    num(b, 40, u->filtered));
		esc(p, u->pipeline);
		put(p, "</td></tr>\n");
	}
	put(p, "</tbody>\n</table>\n");
}

static void runs(struct page *p, const struct report *r)
{
	size_t n = r->nruns;
	double *v = calloc(3 * n + 1, sizeof(*v));
	char (*lab)[24] = calloc(n + 1, sizeof(*lab));
	const char **l = calloc(n + 1, sizeof(*l));
	struct svg_chart dur = {
		.id = "chart-runs-duration", .title = "Run duration (seconds)",
		.desc = "Seconds each 'sluice run' took, oldest first.",
		.unit = "seconds", .n = n, .labels = l, .nseries = 1,
		.series = { { "seconds", v } },
	}, docs = {
		.id = "chart-runs-docs", .title = "Documents per run",
		.desc = "Documents each run added (import, crawl) and the "
		"documents its first filter step looked at.", .unit =
		"documents", .n = n, .labels = l, .nseries = 2,
		.series = { { "added", v + n }, { "filtered", v + 2 * n } },
	};

	put(p, "<section id=\"runs\">\n<h2>Run history</h2>\n");
	if (!v || !lab || !l) {
		p->rc = BUF_NOMEM;
	} else if (!r->has_runs || !n) {
		absent(p, "runs", r->has_runs ? "No 'sluice run' yet." :
		       "No run table in this store.");
	} else {
		for (size_t i = 0; i < n; i++) {
			snprintf(lab[i], sizeof(lab[i]), "#%lld", r->runs[i].id);
			l[i] = lab[i];
			v[i] = isnan(r->runs[i].seconds) ? 0 : r->runs[i].seconds;
			v[n + i] = (double)r->runs[i].added;
			v[2 * n + i] = (double)r->runs[i].filtered;
		}
		put(p, "<div class=\"charts\">\n");
		figure(p, &dur, 1);
		figure(p, &docs, 1);
		put(p, "</div>\n");
		runs_table(p, r);
	}
	put(p, "</section>\n");
	free(v);
	free(lab);
	free(l);
}

int report_html(struct buf *out, const struct report *r, const char *store,
		const char *generated)
{
	struct page p = { out, 0 };

	head(&p, store, generated);
	summary(&p, r);
	funnel(&p, r);
	reasons(&p, r);
	lengths_and_langs(&p, r);
	dedup_and_scores(&p, r);
	crawl(&p, r);
	labeling(&p, r);
	runs(&p, r);
	put(&p, "</main>\n</body>\n</html>\n");
	return p.rc;
}
