/*
 * netguard.h: the crawler's SSRF guard: may we connect to this address?
 *
 * The crawler fetches URLs found on pages it does not control, so a page
 * can point it at http://169.254.169.254/ (cloud metadata), at localhost
 * services, or at a name that resolves to a private address.  Checking the
 * URL's host is not enough (DNS can answer anything, and answer again
 * differently): the check runs on the address actually connected, from
 * libcurl's CURLOPT_OPENSOCKETFUNCTION callback, which sees every address
 * curl tries, redirects and happy-eyeballs included.
 *
 * Refused unless an allowed CIDR covers the address:
 *   IPv4  0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16
 *         172.16.0.0/12 192.0.0.0/24 192.0.2.0/24 192.168.0.0/16
 *         198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4
 *         240.0.0.0/4 255.255.255.255/32
 *   IPv6  ::/128 ::1/128 ::/96 (IPv4-compatible, deprecated) 100::/64
 *         64:ff9b:1::/48 fc00::/7 fe80::/10 ff00::/8 2001:db8::/32
 *         2001:2::/48 fec0::/10 (site-local, deprecated)
 *   and the IPv6 forms that carry an IPv4 address: ::ffff:0:0/96
 *   (IPv4-mapped; what curl connects to is that IPv4 address),
 *   64:ff9b::/96 (NAT64) and 2002::/16 (6to4) are judged by the embedded
 *   IPv4 address, against the allow list and the table above.
 *   Any other address family is refused.
 *
 * An allowed CIDR opens exactly its range and family: allowing
 * 127.0.0.1/32 opens neither 127.0.0.2 nor ::1 (but does open
 * ::ffff:127.0.0.1, which is the same address).
 *
 *   struct netguard g;
 *   netguard_init(&g);
 *   for each --allow-net value: if (netguard_allow(&g, v, &err)) fail;
 *   ... in the open-socket callback:
 *   char why[128];
 *   if (netguard_check(&g, addr, why, sizeof(why))) refuse, log why;
 *   netguard_release(&g);
 *
 * The guard only sees what curl connects to, so the crawler must also:
 * disable proxies (CURLOPT_PROXY "", or the guard judges the proxy's
 * address), limit CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR
 * to "http,https", and re-check each redirect target with crawl/url.h.
 *
 * netguard_check only reads g: it is safe from several threads once the
 * allow list is built.
 */
#ifndef SL_NETGUARD_H
#define SL_NETGUARD_H

#include <stddef.h>
#include <sys/socket.h>

#include "../lib/err.h"

struct netguard_cidr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];		/* network byte order, 4 used for v4 */
	int prefix;			/* 0..32 or 0..128 */
};

struct netguard {
	struct netguard_cidr *allow;
	size_t nallow, alloc;
};

void netguard_init(struct netguard *g);
void netguard_release(struct netguard *g);

/* "10.0.0.0/8", "::1/128", or an address alone (a /32 or /128).  Host bits
 * set past the prefix ("10.1.2.3/8") are an error, not silently masked:
 * this is a security setting and the user should say what they mean. */
int netguard_parse_cidr(struct netguard_cidr *c, const char *s,
			struct sl_err *err);

/* Parse s and add it to the allow list. */
int netguard_allow(struct netguard *g, const char *s, struct sl_err *err);

/* 0 when sa may be connected to, -1 when refused, with the reason (the
 * range's name and CIDR, "loopback 127.0.0.0/8") in why (why may be NULL
 * when whysz is 0). */
int netguard_check(const struct netguard *g, const struct sockaddr *sa,
		   char *why, size_t whysz);

#endif
