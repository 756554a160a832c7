#include "conf.h"

#include <string.h>
#include <strings.h>

#include "banned.h"

int conf_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

int conf_sections(FILE *f, int (*fn)(void *arg, const char *section),
		  void *arg, int *lineno)
{
	char line[512];
	int rc = 0;

	*lineno = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *end;

		++*lineno;
		if (*p != '[' || !(end = strchr(p, ']')))
			continue;
		*end = '\0';
		rc = fn(arg, p + 1);
	}
	if (!rc)
		rewind(f);
	return rc;
}
