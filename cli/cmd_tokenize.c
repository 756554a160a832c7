/*
 * cmd_tokenize.c: `sluice tokenize`: text on stdin to token ids on stdout
 * (tiktoken's ids), or ids back to text with --decode.
 *
 * The ids are exactly what tiktoken gives for the whole input, yet big
 * inputs stream: once a block is in memory it is encoded up to the last
 * place bpe_safe_cut() allows (a newline between ASCII text), and only the
 * rest is kept.  Ids go out space-separated on one line.  --decode reads
 * all of its input (ids) first.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../model/bpe.h"
#include "../lib/banned.h"

#define DEFAULT_MAX_INPUT (1ULL << 30)
/* Encode once this much input is waiting (then at doubling sizes while no
 * cut is found, so a text without cuts is scanned O(n) times in all). */
#define BLOCK (1u << 20)

struct opts {
	const char *tokenizer;
	int decode, allow_special, count;
	unsigned long long max_input;
};

static int read_stdin(struct buf *in)
{
	char chunk[1 << 16];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		int rc = buf_add(in, chunk, n);

		if (rc == BUF_TOOBIG)
			return die_msg("standard input is larger than %zu bytes "
				       "(raise --max-input)", in->cap);
		if (rc)
			return die_msg("out of memory reading standard input");
	}
	if (ferror(stdin))
		return die_msg("cannot read standard input: %s",
			       strerror(errno));
	return EXIT_OK;
}

/* Ids as decimal, space-separated, through one buffer (a printf per id
 * would dominate the run time); *first says no id was printed yet. */
static void print_ids(const struct ids *v, int *first)
{
	char out[1 << 16], digits[16];
	size_t len = 0;

	for (size_t i = 0; i < v->len; i++) {
		uint32_t x = v->v[i];
		int nd = 0;

		do
			digits[nd++] = (char)('0' + x % 10);
		while ((x /= 10) > 0);
		if (len + (size_t)nd + 2 > sizeof(out)) {
			fwrite(out, 1, len, stdout);
			len = 0;
		}
		if (!*first)
			out[len++] = ' ';
		*first = 0;
		while (nd)
			out[len++] = digits[--nd];
	}
	fwrite(out, 1, len, stdout);
}

struct encoder {
	const struct bpe *t;
	const struct opts *o;
	struct bpe_scratch *s;
	struct ids v;
	size_t count;
	int first;
};

/* Encode p[0..n) and print (or count) its ids. */
static int encode_part(struct encoder *e, const char *p, size_t n)
{
	struct sl_err err;

	ids_reset(&e->v);
	if (bpe_encode(e->t, e->s, p, n,
		       e->o->allow_special ? BPE_ALLOW_SPECIAL : 0, &e->v, &err))
		return die_msg("cannot tokenize standard input: %s", err.msg);
	e->count += e->v.len;
	if (!e->o->count)
		print_ids(&e->v, &e->first);
	return EXIT_OK;
}

/* Read stdin, encoding whatever can be cut off as it comes. */
static int encode_stream(struct encoder *e, struct buf *in)
{
	char chunk[1 << 16];
	size_t n, next = BLOCK;
	int rc = EXIT_OK;

	while (rc == EXIT_OK && (n = fread(chunk, 1, sizeof(chunk), stdin))) {
		size_t cut;

		rc = buf_add(in, chunk, n);
		if (rc == BUF_TOOBIG)
			return die_msg("more than %zu bytes of standard input "
				       "without a place to cut it (raise "
				       "--max-input)", in->cap);
		if (rc)
			return die_msg("out of memory reading standard input");
		if (in->len < next)
			continue;
		cut = bpe_safe_cut(e->t, in->data, in->len);
		if (cut) {
			rc = encode_part(e, in->data, cut);
			buf_consume(in, cut);
			next = BLOCK;
		} else {
			next = in->len * 2;
		}
	}
	if (rc == EXIT_OK && ferror(stdin))
		return die_msg("cannot read standard input: %s",
			       strerror(errno));
	if (rc == EXIT_OK && in->len)
		rc = encode_part(e, in->data, in->len);
	return rc;
}

static int encode(const struct bpe *t, const struct opts *o)
{
	struct encoder e = { .t = t, .o = o, .first = 1 };
	struct buf in;
	int rc;

	e.s = bpe_scratch_new();
	if (!e.s)
		return die_msg("out of memory");
	ids_init(&e.v);
	buf_init(&in, (size_t)o->max_input);
	rc = encode_stream(&e, &in);
	if (rc == EXIT_OK && o->count)
		printf("%zu\n", e.count);
	else if (rc == EXIT_OK)
		putchar('\n');
	buf_release(&in);
	ids_release(&e.v);
	bpe_scratch_free(e.s);
	return rc;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',';
}

/* Parse whitespace-separated decimal ids from in. */
static int parse_ids(const struct buf *in, struct ids *v)
{
	const char *p = in->data ? in->data : "", *end = p + in->len;

	while (p < end) {
		unsigned long long x = 0;
		const char *start;

		while (p < end && is_sep(*p))
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && *p >= '0' && *p <= '9' && x <= UINT32_MAX)
			x = x * 10 + (unsigned)(*p++ - '0');
		if (p == start || x > UINT32_MAX ||
		    (p < end && !is_sep(*p)))
			return die_msg("invalid token id at byte %zu of "
				       "standard input",
				       (size_t)(start - in->data));
		if (ids_push(v, (uint32_t)x))
			return die_msg("out of memory");
	}
	return EXIT_OK;
}

static int decode(const struct bpe *t, const struct opts *o)
{
	struct ids v;
	struct buf in, out;
	struct sl_err err;
	int rc;

	ids_init(&v);
	buf_init(&in, (size_t)o->max_input);
	buf_init(&out, 0);
	rc = read_stdin(&in);
	if (rc == EXIT_OK)
		rc = parse_ids(&in, &v);
	if (rc == EXIT_OK && bpe_decode(t, v.v, v.len, &out, &err))
		rc = die_msg("cannot decode: %s", err.msg);
	if (rc == EXIT_OK && out.len)
		fwrite(out.data, 1, out.len, stdout);
	ids_release(&v);
	buf_release(&in);
	buf_release(&out);
	return rc;
}

static int parse_opts(int argc, char **argv, struct ctx *ctx, struct opts *o)
{
	static const struct option longopts[] = {
		{ "tokenizer", required_argument, NULL, 't' },
		{ "decode", no_argument, NULL, 'd' },
		{ "allow-special", no_argument, NULL, 's' },
		{ "count", no_argument, NULL, 'c' },
		{ "max-input", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+t:", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o->tokenizer = optarg; break;
		case 'd': o->decode = 1; break;
		case 's': o->allow_special = 1; break;
		case 'c': o->count = 1; break;
		case 'm':
			if (parse_size(optarg, &o->max_input) || !o->max_input)
				return usage_error(ctx, "invalid size '%s'",
						   optarg);
			break;
		default:
			return usage_error(ctx, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (o->decode && o->count)
		return usage_error(ctx, "--count and --decode exclude each other");
	return EXIT_OK;
}

static int run(int argc, char **argv, struct ctx *ctx)
{
	struct opts o = { "cl100k_base", 0, 0, 0, DEFAULT_MAX_INPUT };
	struct bpe *t;
	struct sl_err err;
	int rc = parse_opts(argc, argv, ctx, &o);

	if (rc)
		return rc;
	if (bpe_open(&t, o.tokenizer, &err))
		return die_msg("%s", err.msg);
	rc = o.decode ? decode(t, &o) : encode(t, &o);
	bpe_close(t);
	return rc;
}

const struct cmd cmd_tokenize = {
	.name = "tokenize",
	.run = run,
	.usage = "sluice tokenize [--tokenizer NAME|FILE] [--decode] "
		 "[--allow-special] [--count] [--max-input SIZE]",
	.summary = "turn stdin into token ids (tiktoken's), or ids back into "
		   "text",
	.help =
	"  -t, --tokenizer NAME|FILE  cl100k_base (default), o200k_base,\n"
	"                   r50k_base, gpt2 (built in), or a .tiktoken rank\n"
	"                   file with its .json (regex, special tokens) beside it\n"
	"  --decode         read ids (separated by spaces, commas or newlines)\n"
	"                   and write the text they stand for (default: encode)\n"
	"  --allow-special  encode special-token text such as <|endoftext|> as\n"
	"                   its id (default: off, it is ordinary text)\n"
	"  --count          print only the number of tokens (default: the ids,\n"
	"                   space-separated on one line)\n"
	"  --max-input SIZE most bytes of stdin held at once, k/M/G suffixes\n"
	"                   (default: 1G).  Input is encoded as one text but in\n"
	"                   blocks cut after newlines between ASCII text, so only\n"
	"                   a stretch without such a newline, or --decode input,\n"
	"                   must fit\n",
	.flags = 0,
};
