/*
 * fuzz_netguard.c: CIDR parsing (--allow-net values) and address checks.
 *
 * Input: a CIDR text, then (after a NUL, if any) up to 16 bytes used as an
 * IPv4 or IPv6 address.  Checks: a parsed CIDR always contains its own
 * network address; an allowed address is never refused; a refusal always
 * comes with a reason.
 *
 * Build and run (from the top of the tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     tests/fuzz/fuzz_netguard.c crawl/netguard.c lib/err.c -o /tmp/fuzz_netguard
 *   /tmp/fuzz_netguard -max_total_time=60 tests/fuzz/corpus/netguard
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/netguard.h"

static int check(const struct netguard *g, int family, const uint8_t *a)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	char why[128];
	int rc;

	if (family == AF_INET) {
		memset(&in, 0, sizeof(in));
		in.sin_family = AF_INET;
		memcpy(&in.sin_addr, a, 4);
		rc = netguard_check(g, (struct sockaddr *)&in, why, sizeof(why));
	} else {
		memset(&in6, 0, sizeof(in6));
		in6.sin6_family = AF_INET6;
		memcpy(&in6.sin6_addr, a, 16);
		rc = netguard_check(g, (struct sockaddr *)&in6, why,
				    sizeof(why));
	}
	if (rc != 0 && (rc != -1 || !why[0]))
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct netguard g;
	size_t n;
	uint8_t addr[16] = { 0 };

	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	if (n + 1 < size)
		memcpy(addr, data + n + 1, size - n - 1 < 16 ? size - n - 1 : 16);
	netguard_init(&g);
	if (netguard_allow(&g, s, NULL) == 0) {
		const struct netguard_cidr *c = &g.allow[0];

		if (check(&g, c->family, c->addr) != 0)
			abort();
	}
	check(&g, AF_INET, addr);
	check(&g, AF_INET6, addr);
	netguard_release(&g);
	free(s);
	return 0;
}
