#include "clock.h"

#include <stdio.h>

#include "banned.h"

char *clock_iso(time_t t, char out[CLOCK_ISO_LEN])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, CLOCK_ISO_LEN, "1970-01-01T00:00:00Z");
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
