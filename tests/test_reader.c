/* Check suite for lib/zreader and lib/linereader: plain, gzip and zstd
 * streams, line splitting, caps, corrupt and truncated input. */
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/err.h"
#include "../lib/linereader.h"
#include "../lib/zreader.h"

static char path[128];
static const char *dir;

static void setup(void)
{
	dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/in", dir);
}

static void teardown(void)
{
	tu_rm_rf(dir);
}

/* Read all lines of path into one string joined by '|'. */
static char *all_lines(size_t cap, int *toolong, struct sl_err *err, int *rc)
{
	static char out[1 << 16];
	struct linereader lr;
	const char *l;
	size_t n, o = 0;
	int r;

	out[0] = '\0';
	*toolong = 0;
	if ((*rc = linereader_open(&lr, path, cap, err)))
		return out;
	while ((r = linereader_next(&lr, &l, &n, err)) != 0) {
		if (r == LR_TOOLONG) {
			(*toolong)++;
			if (o < sizeof(out) - 64)
				o += (size_t)snprintf(out + o, sizeof(out) - o,
					"<%llu>|", (unsigned long long)lr.lineno);
			continue;
		}
		if (r < 0) {
			*rc = -1;
			break;
		}
		if (n < sizeof(out) - o - 2)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s|",
					      (int)n, l);
	}
	linereader_close(&lr);
	return out;
}

START_TEST(plain_lines)
{
	struct sl_err err;
	int tl, rc;

	tu_write(path, "a\nbb\n\nccc", 9);
	ck_assert_str_eq(all_lines(100, &tl, &err, &rc), "a|bb||ccc|");
	ck_assert_int_eq(rc, 0);
	tu_write(path, "", 0);
	ck_assert_str_eq(all_lines(100, &tl, &err, &rc), "");
}
END_TEST

START_TEST(long_lines_skipped_with_numbers)
{
	struct sl_err err;
	int tl, rc;
	char *big = malloc(3 << 20);

	/* line 2 is 3 MiB: longer than both the cap and the 1 MiB chunk */
	memset(big, 'x', 3 << 20);
	memcpy(big, "ok\n", 3);
	memcpy(big + (3 << 20) - 6, "\nlast\n", 6);
	tu_write(path, big, 3 << 20);
	ck_assert_str_eq(all_lines(1000, &tl, &err, &rc), "ok|<2>|last|");
	ck_assert_int_eq(tl, 1);
	/* with a cap above the line length the line comes back whole */
	ck_assert_int_eq(strlen(all_lines(4 << 20, &tl, &err, &rc)) > 0, 1);
	ck_assert_int_eq(tl, 0);
	free(big);
}
END_TEST

START_TEST(gzip_members_and_zstd_frames)
{
	struct sl_err err;
	int tl, rc;
	size_t n1, n2;
	void *z1, *z2;
	char both[512];

	tu_write_gz(path, "one\ntwo\n", 8);
	ck_assert_str_eq(all_lines(100, &tl, &err, &rc), "one|two|");
	/* two zstd frames back to back read as one stream */
	z1 = tu_zstd("ab\n", 3, &n1);
	z2 = tu_zstd("cd\n", 3, &n2);
	memcpy(both, z1, n1);
	memcpy(both + n1, z2, n2);
	tu_write(path, both, n1 + n2);
	ck_assert_str_eq(all_lines(100, &tl, &err, &rc), "ab|cd|");
	free(z1);
	free(z2);
}
END_TEST

START_TEST(truncated_and_corrupt)
{
	struct sl_err err;
	char text[4096], *z;
	size_t zn;
	int tl, rc;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + (i * 7919) % 26);
	z = tu_zstd(text, sizeof(text), &zn);
	tu_write(path, z, zn - 10);
	all_lines(1 << 20, &tl, &err, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated zstd data"));
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	/* flip bytes in the middle: corrupt, with a byte offset */
	z[zn / 2] ^= 0x55;
	z[zn / 2 + 1] ^= 0x55;
	tu_write(path, z, zn);
	all_lines(1 << 20, &tl, &err, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "at byte"));
	free(z);

	tu_write_gz(path, text, sizeof(text));
	{
		FILE *f = fopen(path, "r+b");
		long sz;

		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		ck_assert_int_eq(ftruncate(fileno(f), sz - 20), 0);
		fclose(f);
	}
	all_lines(1 << 20, &tl, &err, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated gzip data"));
}
END_TEST

START_TEST(missing_file)
{
	struct zreader *zr;
	struct sl_err err;

	ck_assert_int_eq(zreader_open(&zr, "/nonexistent/x.jsonl", &err), -1);
	ck_assert_str_eq(err.msg, "cannot open '/nonexistent/x.jsonl': "
			 "No such file or directory");
}
END_TEST

static Suite *reader_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_lines);
	tcase_add_test(tc, long_lines_skipped_with_numbers);
	tcase_add_test(tc, gzip_members_and_zstd_frames);
	tcase_add_test(tc, truncated_and_corrupt);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(reader_suite)
