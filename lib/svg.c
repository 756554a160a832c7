/*
 * svg.c: horizontal bars and columns as inline SVG (see svg.h).
 *
 * Geometry of svg_hbars (px; the viewBox scales with the page):
 *
 *   |<- HB_LABEL ->| |<------ HB_BARS ------>| value |
 *        label text  [=========]             1,234
 *                    [=====]                 987      <- one bar per series
 *
 * and of svg_columns:
 *
 *   max -+            ||
 *        |      ||    ||  ||
 *     0 -+--||--||----||--||---   <- one group of columns per bin
 *          <16  16   32  64          labels thinned so they never overlap
 *
 * Writes go through put(), which makes the first buffer error sticky: a
 * refused append must not be followed by later ones that would leave a
 * chart with a hole in it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"
#include "buf.h"
#include "utf8.h"
#include "banned.h"

enum {
	HB_W = 640, HB_LABEL = 200, HB_BARS = 340, HB_BAR = 12, HB_GAP = 2,
	HB_ROWGAP = 8, HB_TOP = 6, HB_LEGEND = 22,
	COL_W = 640, COL_H = 250, COL_L = 64, COL_R = 16, COL_T = 28,
	COL_B = 44,
};

__attribute__((format(printf, 3, 4)))
static void put(struct buf *b, int *rc, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;

	if (*rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(small)) {
		*rc = BUF_TOOBIG;	/* our formats are short; never long */
		return;
	}
	*rc = buf_add(b, small, (size_t)n);
}

static void esc(struct buf *b, int *rc, const char *s, size_t max_chars)
{
	if (!*rc)
		*rc = svg_escape(b, s ? s : "", max_chars);
}

int svg_escape(struct buf *out, const char *s, size_t max_chars)
{
	static const char repl[] = "\xEF\xBF\xBD";	/* U+FFFD */
	size_t n = strlen(s), i = 0, chars = 0;
	int rc = 0;

	while (i < n && !rc) {
		size_t len;
		int32_t cp = utf8_decode(s + i, n - i, &len);

		if (max_chars && chars == max_chars) {
			rc = buf_adds(out, "\xE2\x80\xA6");	/* ... */
			break;
		}
		chars++;
		switch (cp) {
		case '&': rc = buf_adds(out, "&amp;"); break;
		case '<': rc = buf_adds(out, "&lt;"); break;
		case '>': rc = buf_adds(out, "&gt;"); break;
		case '"': rc = buf_adds(out, "&quot;"); break;
		case '\'': rc = buf_adds(out, "&#39;"); break;
		default:
			/* XML 1.0 forbids C0 controls and U+FFFE/FFFF */
			if (cp < 0x20 || cp == 0x7f || cp == 0xfffe ||
			    cp == 0xffff)
				rc = buf_adds(out, repl);
			else
				rc = buf_add(out, s + i, len);
		}
		i += len;
	}
	return rc;
}

void svg_thousands(char *dst, size_t cap, long long v)
{
	char digits[32], tmp[48];
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v :
				       (unsigned long long)v;
	int nd = snprintf(digits, sizeof(digits), "%llu", m), j = 0;

	if (v < 0)
		tmp[j++] = '-';
	for (int i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0)
			tmp[j++] = ',';
		tmp[j++] = digits[i];
	}
	tmp[j] = 0;
	snprintf(dst, cap, "%s", tmp);
}

void svg_value(char *dst, size_t cap, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(dst, cap, "-");
	else if (v == floor(v) && a < 1e15)
		svg_thousands(dst, cap, (long long)v);
	else if (a >= 100)
		svg_thousands(dst, cap, llround(v));
	else if (a >= 10)
		snprintf(dst, cap, "%.1f", v);
	else
		snprintf(dst, cap, "%.3g", v);
}

static double chart_max(const struct svg_chart *c)
{
	double m = 0;

	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->n; i++)
			if (isfinite(c->series[s].v[i]) && c->series[s].v[i] > m)
				m = c->series[s].v[i];
	return m;
}

static double clamp_len(double v, double max, double full)
{
	if (!isfinite(v) || v <= 0 || max <= 0)
		return 0;
	v = v / max * full;
	return v < 1 ? 1 : v;	/* a non-zero value stays visible */
}

static void open_svg(struct buf *b, int *rc, const struct svg_chart *c,
		     int w, int h)
{
	put(b, rc, "<svg id=\"%s\" class=\"chart\" role=\"img\" "
	    "aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\">\n<title id=\"%s-t\">", c->id, c->id,
	    c->id, w, h, w, h, c->id);
	esc(b, rc, c->title, 0);
	put(b, rc, "</title>\n<desc id=\"%s-d\">", c->id);
	esc(b, rc, c->desc ? c->desc : c->title, 0);
	put(b, rc, "</desc>\n");
}

static void legend(struct buf *b, int *rc, const struct svg_chart *c,
		   int x, int y)
{
	if (c->nseries < 2)
		return;
	for (size_t s = 0; s < c->nseries; s++) {
		int lx = x + (int)s * 130;

		put(b, rc, "<rect class=\"s%zu\" x=\"%d\" y=\"%d\" width=\"10\" "
		    "height=\"10\"/><text class=\"legend\" x=\"%d\" y=\"%d\">",
		    s, lx, y, lx + 14, y + 9);
		esc(b, rc, c->series[s].name, 16);
		put(b, rc, "</text>\n");
	}
}

/* One bar: the rect with its value, label and series for tests and
 * tooltips. */
static void bar(struct buf *b, int *rc, const struct svg_chart *c, size_t s,
		size_t i, double x, double y, double w, double h)
{
	char val[40];

	svg_value(val, sizeof(val), c->series[s].v[i]);
	put(b, rc, "<rect class=\"s%zu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\" data-series=\"", s, x, y, w, h);
	esc(b, rc, c->series[s].name, 0);
	put(b, rc, "\" data-label=\"");
	esc(b, rc, c->labels[i], 0);
	put(b, rc, "\" data-value=\"%.17g\"><title>", c->series[s].v[i]);
	esc(b, rc, c->labels[i], 0);
	if (c->nseries > 1) {
		put(b, rc, ", ");
		esc(b, rc, c->series[s].name, 0);
	}
	put(b, rc, ": %s", val);
	if (c->unit) {
		put(b, rc, " ");
		esc(b, rc, c->unit, 0);
	}
	put(b, rc, "</title></rect>\n");
}

static int empty_chart(struct buf *b, const struct svg_chart *c)
{
	int rc = 0;

	open_svg(b, &rc, c, HB_W, 40);
	put(b, &rc, "<text class=\"empty\" x=\"%d\" y=\"24\">no data</text>\n"
	    "</svg>\n", 10);
	return rc;
}

int svg_hbars(struct buf *b, const struct svg_chart *c)
{
	double max = chart_max(c);
	int rc = 0, top = HB_TOP + (c->nseries > 1 ? HB_LEGEND : 0);
	int row = (int)c->nseries * (HB_BAR + HB_GAP) + HB_ROWGAP;
	int h = top + (int)c->n * row + HB_TOP;

	if (!c->n || !c->nseries || c->nseries > SVG_MAX_SERIES)
		return empty_chart(b, c);
	open_svg(b, &rc, c, HB_W, h);
	legend(b, &rc, c, HB_LABEL + 10, HB_TOP);
	for (size_t i = 0; i < c->n; i++) {
		int y = top + (int)i * row;

		put(b, &rc, "<text class=\"label\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">", HB_LABEL,
		    y + (row - HB_ROWGAP) / 2 + 4);
		esc(b, &rc, c->labels[i], 26);
		put(b, &rc, "</text>\n");
		for (size_t s = 0; s < c->nseries; s++) {
			double w = clamp_len(c->series[s].v[i], max, HB_BARS);
			double by = y + (double)s * (HB_BAR + HB_GAP);
			char val[40];

			bar(b, &rc, c, s, i, HB_LABEL + 10, by, w, HB_BAR);
			svg_value(val, sizeof(val), c->series[s].v[i]);
			put(b, &rc, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">"
			    "%s</text>\n", HB_LABEL + 14 + w, by + HB_BAR - 2,
			    val);
		}
	}
	put(b, &rc, "</svg>\n");
	return rc;
}

/* Round the axis' top up to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
 * power of ten, so the ticks read as round numbers. */
static double nice_max(double max)
{
	static const double steps[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
	double p;

	if (!(max > 0) || !isfinite(max))
		return max > 0 ? max : 0;
	p = pow(10, floor(log10(max)));
	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++)
		if (steps[i] * p >= max * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

static void y_axis(struct buf *b, int *rc, double max)
{
	int ph = COL_H - COL_T - COL_B;

	/* 0, half and max; only 0 when everything is 0 */
	for (int k = 0; k <= (max > 0 ? 2 : 0); k++) {
		double y = COL_T + ph - ph * k / 2.0;
		char val[40];

		svg_value(val, sizeof(val), max * k / 2.0);
		put(b, rc, "<line class=\"gridline\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">%s</text>\n", COL_L, COL_W - COL_R, y,
		    y, COL_L - 6, y + 4, val);
	}
}

int svg_columns(struct buf *b, const struct svg_chart *c)
{
	double max = nice_max(chart_max(c)), pw = COL_W - COL_L - COL_R;
	double ph = COL_H - COL_T - COL_B, gw, bw;
	size_t every;
	int rc = 0;

	if (!c->n || !c->nseries || c->nseries > SVG_MAX_SERIES)
		return empty_chart(b, c);
	gw = pw / (double)c->n;
	bw = gw * 0.8 / (double)c->nseries;
	/* about 60 px per label, so neighbours never overlap */
	every = (size_t)ceil(60.0 / gw);
	open_svg(b, &rc, c, COL_W, COL_H);
	/* the legend sits top left, a marker's caption above its line */
	legend(b, &rc, c, COL_L, 6);
	y_axis(b, &rc, max);
	for (size_t i = 0; i < c->n; i++) {
		double gx = COL_L + gw * (double)i + gw * 0.1;

		for (size_t s = 0; s < c->nseries; s++) {
			double h = clamp_len(c->series[s].v[i], max, ph);

			bar(b, &rc, c, s, i, gx + bw * (double)s,
			    COL_T + ph - h, bw, h);
		}
		if (i % every)
			continue;
		put(b, &rc, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">", COL_L + gw * ((double)i + 0.5),
		    COL_T + ph + 16);
		esc(b, &rc, c->labels[i], 8);
		put(b, &rc, "</text>\n");
	}
	if (c->marker) {
		double mx = COL_L + gw * c->marker_at;

		put(b, &rc, "<line class=\"marker\" x1=\"%.1f\" x2=\"%.1f\" "
		    "y1=\"%d\" y2=\"%.1f\"/><text class=\"marker-label\" "
		    "x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", mx, mx,
		    COL_T - 4, COL_T + ph, mx, COL_T - 8);
		esc(b, &rc, c->marker_label, 40);
		put(b, &rc, "</text>\n");
	}
	put(b, &rc, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
	    "y2=\"%.1f\"/>\n</svg>\n", COL_L, COL_W - COL_R, COL_T + ph,
	    COL_T + ph);
	return rc;
}
