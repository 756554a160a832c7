/* Check suite for lib/: buffers, UTF-8 repair, hashes, atomic files. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check_main.h"
#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/conf.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/sha256.h"
#include "../lib/u64map.h"
#include "../lib/bloom.h"
#include "../lib/utf8.h"

START_TEST(buf_grows_and_caps)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_adds(&b, "hello"), BUF_OK);
	ck_assert_int_eq(buf_addf(&b, "%d", 1234), BUF_OK);
	ck_assert_str_eq(b.data, "hello1234");
	ck_assert_int_eq(buf_adds(&b, "xy"), BUF_TOOBIG);
	ck_assert_str_eq(b.data, "hello1234");	/* unchanged on refusal */
	ck_assert_int_eq(buf_addc(&b, '!'), BUF_OK);
	ck_assert_uint_eq(b.len, 10);
	buf_consume(&b, 5);
	ck_assert_str_eq(b.data, "1234!");
	buf_release(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(buf_uncapped_large)
{
	struct buf b;
	char chunk[1000];

	memset(chunk, 'x', sizeof(chunk));
	buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_add(&b, chunk, sizeof(chunk)), BUF_OK);
	ck_assert_uint_eq(b.len, 1000000);
	ck_assert_int_eq(b.data[b.len], '\0');
	buf_release(&b);
}
END_TEST

static void repair_case(const char *in, size_t n, const char *want,
			size_t want_repl)
{
	struct buf b;
	size_t repl = 0;

	buf_init(&b, 0);
	ck_assert_int_eq(utf8_repair(in, n, &b, &repl), 0);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.data, want, b.len);
	ck_assert_uint_eq(repl, want_repl);
	ck_assert(utf8_valid(b.data, b.len));
	buf_release(&b);
}

START_TEST(utf8_repair_cases)
{
	/* valid text, Chinese included, passes through untouched */
	repair_case("abc 中文", 10, "abc 中文", 0);
	/* a lone continuation byte */
	repair_case("a\x80z", 3, "a\xEF\xBF\xBDz", 1);
	/* overlong '/' is two invalid bytes: C0 is never valid */
	repair_case("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2);
	/* truncated 3-byte sequence at the end: one maximal subpart */
	repair_case("x\xE4\xB8", 3, "x\xEF\xBF\xBD", 1);
	/* surrogate D800 encoded: ED A0 80 -> three replacements */
	repair_case("\xED\xA0\x80", 3,
		    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3);
	/* above U+10FFFF */
	repair_case("\xF4\x90\x80\x80", 4,
		    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4);
	/* a 4-byte emoji is fine */
	repair_case("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80", 0);
}
END_TEST

START_TEST(utf8_counts_and_codec)
{
	char out[4];
	size_t len;

	ck_assert_uint_eq(utf8_count("中文ab", 8), 4);
	ck_assert_int_eq(utf8_decode("中", 3, &len), 0x4E2D);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(utf8_encode(0x1F600, out), 4);
	ck_assert_mem_eq(out, "\xF0\x9F\x98\x80", 4);
	ck_assert_uint_eq(utf8_valid_prefix("ok\xFFno", 5), 2);
}
END_TEST

START_TEST(hash_is_stable)
{
	struct hash128 h;
	char hex[33];

	hash128("", 0, &h);
	hash_hex(h.b, 16, hex);
	/* XXH3-128 of the empty input, as xxhsum -H2 prints it */
	ck_assert_str_eq(hex, "99aa06d3014798d86001c324468d497f");
	ck_assert_uint_ne(hash64("a", 1), hash64("b", 1));
}
END_TEST

START_TEST(atomicfile_commit_and_abort)
{
	char dir[] = "/tmp/sluice-test-XXXXXX", path[64], tmpname[96];
	struct atomicfile af;
	struct sl_err err;
	struct stat sb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	ck_assert_int_eq(atomicfile_open(&af, path, &err), 0);
	fputs("data", af.fp);
	ck_assert_int_ne(stat(path, &sb), 0);	/* not visible yet */
	ck_assert_int_eq(atomicfile_commit(&af, &err), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4);

	ck_assert_int_eq(atomicfile_open(&af, path, &err), 0);
	fputs("other", af.fp);
	atomicfile_abort(&af);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4);	/* old file intact */

	/* a temp file of a dead writer is swept, a foreign file is not */
	snprintf(tmpname, sizeof(tmpname), "%s/.out.txt.tmp-999999999", dir);
	fclose(fopen(tmpname, "w"));
	ck_assert_int_eq(atomicfile_sweep(dir, &err), 1);
	ck_assert_int_ne(stat(tmpname, &sb), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(err_appends_errno)
{
	struct sl_err err;

	errno = ENOENT;
	ck_assert_int_eq(sl_error(&err, "cannot open '%s':", "x"), -1);
	ck_assert_str_eq(err.msg, "cannot open 'x': No such file or directory");
	sl_error_prefix(&err, "import: ");
	ck_assert_str_eq(err.msg,
			 "import: cannot open 'x': No such file or directory");
}
END_TEST

START_TEST(sha256_vectors)
{
	struct sha256 c;
	char hex[65];
	char million[1001];

	sha256_init(&c);
	sha256_hex(&c, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_hex(&c, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_init(&c);
	sha256_update(&c, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	sha256_hex(&c, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a' fed in uneven pieces */
	memset(million, 'a', sizeof(million));
	sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		sha256_update(&c, million, i % 2 ? 999 : 1001);
	sha256_hex(&c, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

static int count_section(void *arg, const char *section)
{
	struct buf *b = arg;

	buf_addf(b, "%s|", section);
	return !strcmp(section, "stop");
}

/* The multimap against counts kept by hand: small keys (the multiply
 * spreads them), repeated keys, growth past several doublings, clear. */
START_TEST(u64map_multimap)
{
	struct u64map m;
	size_t bytes, added = 0;

	u64map_init(&m);
	ck_assert_uint_eq(u64map_first(&m, 7), U64MAP_END);
	for (uint64_t k = 0; k < 20000; k++)
		for (uint64_t j = 0; j <= k % 3; j++, added++)
			ck_assert_int_eq(u64map_add(&m, k, k * 10 + j + 1), 0);
	ck_assert_uint_eq(m.n, added);
	for (uint64_t k = 0; k < 20000; k++) {
		uint64_t seen = 0, sum = 0;

		for (size_t i = u64map_first(&m, k); i != U64MAP_END;
		     i = u64map_next(&m, k, i)) {
			ck_assert_uint_eq(m.v[i].key, k);
			seen++;
			sum += m.v[i].val;
		}
		ck_assert_uint_eq(seen, k % 3 + 1);
		ck_assert_uint_eq(sum, seen * (k * 10 + 1) + seen * (seen - 1) / 2);
	}
	ck_assert_uint_eq(u64map_first(&m, 20000), U64MAP_END);
	ck_assert(m.n * 5 <= m.cap * 4);
	bytes = u64map_bytes(&m);
	u64map_clear(&m);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_eq(u64map_first(&m, 5), U64MAP_END);
	ck_assert_uint_eq(u64map_bytes(&m), bytes);
	u64map_release(&m);
}
END_TEST

/* Every key added is found; keys never added are found rarely, at the
 * capacity it was sized for, for random keys and for small integers. */
START_TEST(bloom_no_false_negatives)
{
	for (int small = 0; small < 2; small++) {
		struct bloom b;
		size_t fp = 0, n = 100000;

		ck_assert_int_eq(bloom_init(&b, n), 0);
		ck_assert_uint_ge(b.cap, n);
		for (uint64_t i = 0; i < n; i++)
			bloom_add(&b, small ? i : hash64(&i, sizeof(i)));
		ck_assert_uint_eq(b.n, n);
		for (uint64_t i = 0; i < n; i++)
			ck_assert(bloom_has(&b, small ? i : hash64(&i, sizeof(i))));
		for (uint64_t i = n; i < 2 * n; i++)
			fp += bloom_has(&b, small ? i : hash64(&i, sizeof(i)));
		ck_assert_msg(fp < n / 200, "%zu false positives in %zu", fp, n);
		bloom_release(&b);
	}
}
END_TEST

START_TEST(conf_bools_and_sections)
{
	char path[] = "/tmp/sluice-conf-XXXXXX";
	int fd = mkstemp(path), v = -1, line;
	struct buf b;
	FILE *f;

	ck_assert_int_eq(conf_bool("YES", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(conf_bool("off", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(conf_bool("maybe", &v), -1);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w+");
	fputs("; c\n[a]\nk = v\n  [filter.x]\n\n[stop]\n[after]\n", f);
	rewind(f);
	buf_init(&b, 0);
	ck_assert_int_eq(conf_sections(f, count_section, &b, &line), 1);
	ck_assert_str_eq(b.data, "a|filter.x|stop|");
	ck_assert_int_eq(line, 6);	/* the header that stopped it */
	buf_release(&b);
	fclose(f);
	unlink(path);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_grows_and_caps);
	tcase_add_test(tc, buf_uncapped_large);
	tcase_add_test(tc, utf8_repair_cases);
	tcase_add_test(tc, utf8_counts_and_codec);
	tcase_add_test(tc, hash_is_stable);
	tcase_add_test(tc, atomicfile_commit_and_abort);
	tcase_add_test(tc, err_appends_errno);
	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, conf_bools_and_sections);
	tcase_add_test(tc, u64map_multimap);
	tcase_add_test(tc, bloom_no_false_negatives);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(lib_suite)
