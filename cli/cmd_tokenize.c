/*
 * cmd_tokenize.c: `sluice tokenize`: text on stdin to token ids on stdout
 * (tiktoken's ids), or ids back to text with --decode.
 *
 * All of stdin is read (up to --max-input) and encoded as one text, so the
 * ids are exactly what tiktoken gives for the whole input; ids go out
 * space-separated on one line.
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
 * would dominate the run time). */
static int print_ids(const struct ids *v)
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
		if (i)
			out[len++] = ' ';
		while (nd)
			out[len++] = digits[--nd];
	}
	out[len++] = '\n';
	fwrite(out, 1, len, stdout);
	return EXIT_OK;
}

static int encode(const struct bpe *t, const struct opts *o,
		  const struct buf *in)
{
	struct ids v;
	struct sl_err err;
	int rc;

	ids_init(&v);
	if (bpe_encode(t, NULL, in->data ? in->data : "", in->len,
		       o->allow_special ? BPE_ALLOW_SPECIAL : 0, &v, &err)) {
		ids_release(&v);
		return die_msg("cannot tokenize standard input: %s", err.msg);
	}
	if (o->count) {
		printf("%zu\n", v.len);
		rc = EXIT_OK;
	} else {
		rc = print_ids(&v);
	}
	ids_release(&v);
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

static int decode(const struct bpe *t, const struct buf *in)
{
	struct ids v;
	struct buf out;
	struct sl_err err;
	int rc;

	ids_init(&v);
	buf_init(&out, 0);
	rc = parse_ids(in, &v);
	if (rc == EXIT_OK && bpe_decode(t, v.v, v.len, &out, &err))
		rc = die_msg("cannot decode: %s", err.msg);
	if (rc == EXIT_OK && out.len)
		fwrite(out.data, 1, out.len, stdout);
	ids_release(&v);
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
	struct buf in;
	struct sl_err err;
	int rc = parse_opts(argc, argv, ctx, &o);

	if (rc)
		return rc;
	if (bpe_open(&t, o.tokenizer, &err))
		return die_msg("%s", err.msg);
	buf_init(&in, (size_t)o.max_input);
	rc = read_stdin(&in);
	if (rc == EXIT_OK)
		rc = o.decode ? decode(t, &in) : encode(t, &o, &in);
	buf_release(&in);
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
	"  --max-input SIZE refuse more input than SIZE bytes, k/M/G suffixes\n"
	"                   (default: 1G); stdin is tokenized as one text\n",
	.flags = 0,
};
