/*
 * clock.h: wall-clock time as ISO 8601 text (what the store and the
 * exported documents carry) and a monotonic clock for measuring.
 */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <time.h>

#define CLOCK_ISO_LEN 32

/* "2026-11-29T13:28:05Z" for t (UTC); returns out. */
char *clock_iso(time_t t, char out[CLOCK_ISO_LEN]);
char *clock_iso_now(char out[CLOCK_ISO_LEN]);

/* Seconds from an arbitrary fixed point; only differences mean anything. */
double clock_mono(void);

#endif
