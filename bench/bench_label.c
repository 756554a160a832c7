/*
 * bench_label.c: from the deciding keypress to the next document drawn, in
 * the labelling UI's own code (issue #6: within 16 ms on a store of
 * 1,000,000 documents).
 *
 *   bench_label run STORE DECISIONS    a fresh single-label task on STORE
 *                                      (made by bench_queue gen), then
 *                                      DECISIONS x what a key does:
 *                                      queue_decide (committed), the next
 *                                      document (queue_next, termsafe,
 *                                      wrap, progress) and the screen
 *                                      (tui_draw into an 80x24 ncurses
 *                                      terminal writing to /dev/null)
 *   bench_label text                   the text half alone on 4 KB and
 *                                      1 MB documents of mixed Latin,
 *                                      CJK and escapes
 *
 * The screen is real ncurses output (newterm on xterm-256color), so the
 * cost of computing the terminal update is counted; only the terminal's
 * own rendering is not.  Percentiles over every decision.
 */
#include <curses.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../label/queue.h"
#include "../label/task.h"
#include "../label/tui_int.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../store/db.h"

static void die(const char *what, const struct sl_err *err)
{
	endwin();
	fprintf(stderr, "bench_label: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, long n)
{
	double sum = 0;

	qsort(ms, (size_t)n, sizeof(*ms), cmp);
	for (long i = 0; i < n; i++)
		sum += ms[i];
	fprintf(stderr, "%-28s n=%-6ld mean %7.3f  p50 %7.3f  p99 %7.3f  "
		"max %7.3f ms\n", what, n, sum / (double)n, ms[n / 2],
		ms[(long)((double)n * 0.99)], ms[n - 1]);
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void screen(void)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");

	setlocale(LC_ALL, "C.UTF-8");
	if (!out || !in || !newterm("xterm-256color", out, in))
		die("cannot start ncurses on /dev/null", NULL);
	resizeterm(24, 80);
}

static void run(const char *path, long n)
{
	static const char *labels[] = { "yes", "no" };
	struct task spec = { .name = "bench_label", .kind = TASK_SINGLE,
			     .labels = (char **)labels, .nlabels = 2,
			     .overlap = 1 };
	struct queue_opts qo = QUEUE_OPTS_INIT;
	struct tui_opts to = { .annotator = "bench", .lease_seconds = 600 };
	double *tot = calloc((size_t)n, sizeof(double));
	double *dec = calloc((size_t)n, sizeof(double));
	double *nxt = calloc((size_t)n, sizeof(double));
	double *drw = calloc((size_t)n, sizeof(double));
	const char *one[] = { "yes" };
	struct store *st;
	struct task *t;
	struct queue *q;
	struct tui ui;
	struct sl_err err;
	double cpu0, cpu1;
	long i;

	if (!tot || !dec || !nxt || !drw)
		die("out of memory", NULL);
	if (store_open(&st, path, 0, &err))
		die("store", &err);
	if (task_load(st, spec.name, &t, &err) != 1 &&
	    (task_create(st, &spec, &err) ||
	     task_load(st, spec.name, &t, &err) != 1))
		die("task", &err);
	if (queue_open(&q, st, t, "bench", &qo, &err))
		die("queue_open", &err);
	store_defer_checkpoints(st);	/* as tui_run() does */
	screen();
	tui_init(&ui, st, t, q, &to, &err);
	tui_colors(&ui);
	if (tui_show_next(&ui))
		die("first document", &err);
	tui_draw(&ui);
	cpu0 = cpu_ms();
	for (i = 0; i < n && ui.item; i++) {
		double t0 = clock_mono(), t1, t2, t3;
		struct decision d = { .answer = "accept", .labels = one,
				      .nlabels = 1, .seconds = 1 };

		/* what tui_decide() does, timed in its parts */
		if (queue_decide(q, ui.item->doc, &d, &err))
			die("queue_decide", &err);
		t1 = clock_mono();
		if (tui_show_next(&ui))
			die("queue_next", &err);
		t2 = clock_mono();
		tui_draw(&ui);
		t3 = clock_mono();
		store_checkpoint(st);	/* as tui_run(): after the draw */
		dec[i] = (t1 - t0) * 1e3;
		nxt[i] = (t2 - t1) * 1e3;
		drw[i] = (t3 - t2) * 1e3;
		tot[i] = (t3 - t0) * 1e3;
	}
	cpu1 = cpu_ms();
	tui_release(&ui);
	endwin();
	/* CPU time does not count waiting for the cores of a loaded machine */
	fprintf(stderr, "CPU per keypress: %.3f ms (process CPU time / %ld)\n",
		(cpu1 - cpu0) / (double)(i ? i : 1), i);
	report("decide (commit)", dec, i);
	report("next (queue+text+progress)", nxt, i);
	report("draw (ncurses)", drw, i);
	report("keypress -> next drawn", tot, i);
	queue_close(q);
	task_free(t);
	store_close(st);
	free(tot);
	free(dec);
	free(nxt);
	free(drw);
}

/* The text half (termsafe + wrap + draw) on a synthetic document. */
static void text(size_t size, long reps)
{
	static const char *parts[] = {
		"The quick brown fox jumps over the lazy dog. ",
		"中文测试文本，这是一个句子。", "na\xc3\xafve caf\xc3\xa9 ",
		"\x1b[31mred\x1b[0m ", "\xe2\x80\xae" "rtl ", "\n\n",
	};
	struct task spec = { .name = "t", .kind = TASK_SINGLE };
	struct tui_opts to = { .annotator = "bench", .lease_seconds = 600 };
	struct queue_item item = { .id = "doc", .url = "http://x/",
				   .source = "bench", .verdicts = "",
				   .score = NAN };
	struct buf b;
	struct tui ui;
	struct sl_err err;
	double *ms = calloc((size_t)reps, sizeof(double));
	char what[64];

	buf_init(&b, 0);
	for (unsigned i = 0; b.len < size; i = i * 7 + 3)
		buf_adds(&b, parts[i % 6]);
	item.text = b.data;
	item.len = b.len;
	tui_init(&ui, NULL, &spec, NULL, &to, &err);
	tui_colors(&ui);
	ui.item = &item;
	ui.mode = MODE_DOC;
	for (long r = 0; r < reps; r++) {
		double t0 = clock_mono();

		termsafe_clean(&ui.body, item.text, item.len, 0);
		wrap_text(&ui.wrap, ui.body.text.data, ui.body.text.len, COLS);
		tui_draw(&ui);
		ms[r] = (clock_mono() - t0) * 1e3;
	}
	snprintf(what, sizeof(what), "text %zu KB (clean+wrap+draw)",
		 b.len >> 10);
	ui.item = NULL;
	tui_release(&ui);
	report(what, ms, reps);
	buf_release(&b);
	free(ms);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "run")) {
		run(argv[2], atol(argv[3]));
	} else if (argc == 2 && !strcmp(argv[1], "text")) {
		screen();
		text(4096, 2000);
		text(1 << 20, 20);
		endwin();
	} else {
		fprintf(stderr, "usage: bench_label run STORE DECISIONS | "
			"bench_label text\n");
		return 2;
	}
	return 0;
}
