/* Check suite for crawl/netguard: address classification from
 * tests/data/netguard/cases.tsv and CIDR parsing from cidr.tsv.  Nothing
 * is connected to: addresses are built with inet_pton. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "check_main.h"
#include "tsv.h"
#include "../crawl/netguard.h"

static void make_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(80);
		return;
	}
	ck_assert_msg(inet_pton(AF_INET6, s, &in6->sin6_addr) == 1,
		      "bad test address '%s'", s);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(443);
}

START_TEST(cases)
{
	struct tsv t;
	int rows = 0, passed = 0;

	ck_assert(tsv_open(&t, "tests/data/netguard/cases.tsv") == 0);
	while (tsv_next(&t)) {
		struct netguard g;
		struct sockaddr_storage ss;
		struct sl_err err;
		char why[128], *p, *save = NULL;
		int rc, ok;

		netguard_init(&g);
		for (p = strtok_r(t.f[1], ",", &save); p;
		     p = strtok_r(NULL, ",", &save))
			ck_assert_msg(netguard_allow(&g, p, &err) == 0,
				      "line %d: %s", t.lineno, err.msg);
		make_addr(t.f[0], &ss);
		rc = netguard_check(&g, (struct sockaddr *)&ss, why,
				    sizeof(why));
		if (!strcmp(t.f[2], "allowed"))
			ok = rc == 0;
		else
			ok = rc == -1 && !strncmp(t.f[2], "refused:", 8) &&
			     strstr(why, t.f[2] + 8);
		rows++;
		if (ok)
			passed++;
		else
			fprintf(stderr, "netguard cases.tsv:%d: %s allow '%s':"
				" got %s '%s' want '%s'\n", t.lineno, t.f[0],
				t.f[1], rc ? "refused" : "allowed", why,
				t.f[2]);
		netguard_release(&g);
	}
	tsv_close(&t);
	printf("netguard cases.tsv: %d/%d rows pass\n", passed, rows);
	ck_assert_int_eq(passed, rows);
	ck_assert_int_ge(rows, 100);
}
END_TEST

START_TEST(cidrs)
{
	struct tsv t;
	int rows = 0;

	ck_assert(tsv_open(&t, "tests/data/netguard/cidr.tsv") == 0);
	while (tsv_next(&t)) {
		struct netguard_cidr c;
		struct sl_err err;
		int rc = netguard_parse_cidr(&c, t.f[0], &err);

		if (!strcmp(t.f[1], "ok"))
			ck_assert_msg(rc == 0, "line %d: %s", t.lineno,
				      err.msg);
		else
			ck_assert_msg(rc == -1 && strstr(err.msg, t.f[1] + 6),
				      "line %d: '%s' rc %d msg '%s'", t.lineno,
				      t.f[0], rc, rc ? err.msg : "");
		rows++;
	}
	tsv_close(&t);
	printf("netguard cidr.tsv: %d/%d rows pass\n", rows, rows);
	ck_assert_int_ge(rows, 20);
}
END_TEST

START_TEST(other_families)
{
	struct netguard g;
	struct sockaddr_un un;
	char why[64];

	netguard_init(&g);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	ck_assert_int_eq(netguard_check(&g, (struct sockaddr *)&un, why,
					sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "not an IP address"));
	/* why may be omitted */
	ck_assert_int_eq(netguard_check(&g, (struct sockaddr *)&un, NULL, 0),
			 -1);
	netguard_release(&g);
}
END_TEST

START_TEST(parsed_values)
{
	struct netguard_cidr c;
	struct sl_err err;

	ck_assert_int_eq(netguard_parse_cidr(&c, "10.0.0.0/8", &err), 0);
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_int_eq(c.prefix, 8);
	ck_assert_int_eq(c.addr[0], 10);
	ck_assert_int_eq(netguard_parse_cidr(&c, "::1", &err), 0);
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_int_eq(c.prefix, 128);
	ck_assert_int_eq(c.addr[15], 1);
}
END_TEST

static Suite *netguard_suite(void)
{
	Suite *s = suite_create("netguard");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cases);
	tcase_add_test(tc, cidrs);
	tcase_add_test(tc, other_families);
	tcase_add_test(tc, parsed_values);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(netguard_suite)
