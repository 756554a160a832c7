/*
 * netguard.c: classify a socket address against the special-purpose
 * ranges (IANA IPv4 and IPv6 Special-Purpose Address Registries) and the
 * user's allow list.
 *
 * Order of the checks for one address:
 *   1. not AF_INET / AF_INET6                  -> refused
 *   2. IPv4-mapped ::ffff:a.b.c.d              -> continue as a.b.c.d
 *   3. covered by an allowed CIDR              -> allowed
 *   4. NAT64 / 6to4: the embedded IPv4 address, through 3 and 5
 *   5. in the refused table (first match, most specific first)
 *                                              -> refused, named
 *   6. otherwise                               -> allowed
 */
#include "netguard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/banned.h"

struct range {
	const char *cidr;
	const char *name;
	const char *note;	/* after the CIDR in messages */
};

/* Most specific first where ranges nest (255.255.255.255 in 240/4). */
static const struct range refused4[] = {
	{ "0.0.0.0/8", "this network", "" },
	{ "10.0.0.0/8", "private", "" },
	{ "100.64.0.0/10", "shared address space (CGNAT)", "" },
	{ "127.0.0.0/8", "loopback", "" },
	{ "169.254.0.0/16", "link-local", " (cloud metadata)" },
	{ "172.16.0.0/12", "private", "" },
	{ "192.0.0.0/24", "IETF protocol assignments", "" },
	{ "192.0.2.0/24", "documentation (TEST-NET-1)", "" },
	{ "192.168.0.0/16", "private", "" },
	{ "198.18.0.0/15", "benchmarking", "" },
	{ "198.51.100.0/24", "documentation (TEST-NET-2)", "" },
	{ "203.0.113.0/24", "documentation (TEST-NET-3)", "" },
	{ "224.0.0.0/4", "multicast", "" },
	{ "255.255.255.255/32", "limited broadcast", "" },
	{ "240.0.0.0/4", "reserved", "" },
};

static const struct range refused6[] = {
	{ "::/128", "unspecified", "" },
	{ "::1/128", "loopback", "" },
	{ "::/96", "IPv4-compatible", " (deprecated)" },
	{ "100::/64", "discard-only", "" },
	{ "64:ff9b:1::/48", "NAT64 local-use", "" },
	{ "2001:2::/48", "benchmarking", "" },
	{ "2001:db8::/32", "documentation", "" },
	{ "fc00::/7", "unique local", "" },
	{ "fe80::/10", "link-local", "" },
	{ "fec0::/10", "site-local", " (deprecated)" },
	{ "ff00::/8", "multicast", "" },
};

void netguard_init(struct netguard *g)
{
	memset(g, 0, sizeof(*g));
}

void netguard_release(struct netguard *g)
{
	free(g->allow);
	netguard_init(g);
}

static int parse_prefix(const char *s, int max)
{
	int v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* Do the first prefix bits of a and b agree? */
static int prefix_eq(const unsigned char *a, const unsigned char *b,
		     int prefix)
{
	int bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a, b, (size_t)bytes))
		return 0;
	if (!bits)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xFF << (8 - bits)) & 0xFF) == 0;
}

static int host_bits_clear(const struct netguard_cidr *c)
{
	int len = c->family == AF_INET ? 4 : 16;
	unsigned char masked[16];

	memcpy(masked, c->addr, (size_t)len);
	for (int i = 0; i < len * 8; i++)
		if (i >= c->prefix)
			masked[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return memcmp(masked, c->addr, (size_t)len) == 0;
}

int netguard_parse_cidr(struct netguard_cidr *c, const char *s,
			struct sl_err *err)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	memset(c, 0, sizeof(*c));
	if (n == 0 || n >= sizeof(addr))
		return sl_error(err, "cannot parse CIDR '%.80s': bad address",
				s);
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, c->addr) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, c->addr) == 1)
		c->family = AF_INET6;
	else
		return sl_error(err, "cannot parse CIDR '%.80s': bad address",
				s);
	c->prefix = c->family == AF_INET ? 32 : 128;
	if (slash) {
		c->prefix = parse_prefix(slash + 1, c->prefix);
		if (c->prefix < 0)
			return sl_error(err, "cannot parse CIDR '%.80s': bad "
					"prefix length", s);
	}
	if (!host_bits_clear(c))
		return sl_error(err, "cannot use CIDR '%.80s': address has "
				"bits set past the /%d prefix", s, c->prefix);
	return 0;
}

int netguard_allow(struct netguard *g, const char *s, struct sl_err *err)
{
	struct netguard_cidr c;

	if (netguard_parse_cidr(&c, s, err))
		return -1;
	if (g->nallow == g->alloc) {
		size_t na = g->alloc ? 2 * g->alloc : 4;
		void *p = realloc(g->allow, na * sizeof(*g->allow));

		if (!p)
			return sl_error(err, "cannot add '%.80s':", s);
		g->allow = p;
		g->alloc = na;
	}
	g->allow[g->nallow++] = c;
	return 0;
}

static int in_cidr(const struct netguard_cidr *c, int family,
		   const unsigned char *a)
{
	return c->family == family && prefix_eq(c->addr, a, c->prefix);
}

static int allowed(const struct netguard *g, int family,
		   const unsigned char *a)
{
	for (size_t i = 0; i < g->nallow; i++)
		if (in_cidr(&g->allow[i], family, a))
			return 1;
	return 0;
}

#define N4 (sizeof(refused4) / sizeof(*refused4))
#define N6 (sizeof(refused6) / sizeof(*refused6))

/* The tables above, parsed once (the text is the source of truth and the
 * messages quote it). */
static struct netguard_cidr parsed4[N4], parsed6[N6];
static pthread_once_t parsed_once = PTHREAD_ONCE_INIT;

static void parse_tables(void)
{
	for (size_t i = 0; i < N4; i++)
		netguard_parse_cidr(&parsed4[i], refused4[i].cidr, NULL);
	for (size_t i = 0; i < N6; i++)
		netguard_parse_cidr(&parsed6[i], refused6[i].cidr, NULL);
}

/* The refused range holding a, or NULL. */
static const struct range *refused(int family, const unsigned char *a)
{
	const struct range *t = family == AF_INET ? refused4 : refused6;
	const struct netguard_cidr *c = family == AF_INET ? parsed4 : parsed6;
	size_t n = family == AF_INET ? N4 : N6;

	pthread_once(&parsed_once, parse_tables);
	for (size_t i = 0; i < n; i++)
		if (in_cidr(&c[i], family, a))
			return &t[i];
	return NULL;
}

static int refuse(const struct range *r, const char *via, char *why,
		  size_t whysz)
{
	if (whysz)
		snprintf(why, whysz, "%s%s %s%s", via, r->name, r->cidr,
			 r->note);
	return -1;
}

/* Judge an IPv4 address; via names the IPv6 form it came in, if any. */
static int check4(const struct netguard *g, const unsigned char *a4,
		  const char *via, char *why, size_t whysz)
{
	const struct range *r;

	if (allowed(g, AF_INET, a4))
		return 0;
	r = refused(AF_INET, a4);
	return r ? refuse(r, via, why, whysz) : 0;
}

static const unsigned char mapped_pfx[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
static const unsigned char nat64_pfx[12] = {
	0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };

int netguard_check(const struct netguard *g, const struct sockaddr *sa,
		   char *why, size_t whysz)
{
	const unsigned char *a6;
	const struct range *r;

	if (whysz)
		why[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return check4(g, (const unsigned char *)&in->sin_addr, "",
			      why, whysz);
	}
	if (sa->sa_family != AF_INET6) {
		if (whysz)
			snprintf(why, whysz, "not an IP address (family %d)",
				 sa->sa_family);
		return -1;
	}
	a6 = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (allowed(g, AF_INET6, a6))
		return 0;
	if (!memcmp(a6, mapped_pfx, 12))
		return check4(g, a6 + 12, "IPv4-mapped ::ffff:0:0/96 of ",
			      why, whysz);
	if (!memcmp(a6, nat64_pfx, 12))
		return check4(g, a6 + 12, "NAT64 64:ff9b::/96 of ", why,
			      whysz);
	if (a6[0] == 0x20 && a6[1] == 0x02)
		return check4(g, a6 + 2, "6to4 2002::/16 of ", why, whysz);
	r = refused(AF_INET6, a6);
	return r ? refuse(r, "", why, whysz) : 0;
}
