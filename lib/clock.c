#include "clock.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

char *clock_iso(time_t t, char out[CLOCK_ISO_LEN])
{
	/* The crawler stamps several rows a page, mostly within one second:
	 * each thread keeps the last second's text (gmtime_r takes a lock
	 * and strftime is slow). */
	static __thread time_t last_t = -1;
	static __thread char last[CLOCK_ISO_LEN];
	struct tm tm;

	if (t != last_t) {
		if (!gmtime_r(&t, &tm) ||
		    !strftime(last, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(last, CLOCK_ISO_LEN, "1970-01-01T00:00:00Z");
		last_t = t;
	}
	memcpy(out, last, CLOCK_ISO_LEN);
	return out;
}

char *clock_iso_now(char out[CLOCK_ISO_LEN])
{
	return clock_iso(time(NULL), out);
}

double clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
