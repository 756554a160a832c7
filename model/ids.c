/* ids.c: growable array of token ids (see ids.h). */
#include "ids.h"

#include <stdlib.h>

#include "../lib/banned.h"

void ids_init(struct ids *a)
{
	a->v = NULL;
	a->len = 0;
	a->alloc = 0;
}

void ids_release(struct ids *a)
{
	free(a->v);
	ids_init(a);
}

void ids_reset(struct ids *a)
{
	a->len = 0;
}

int ids_grow(struct ids *a, size_t n)
{
	size_t need, alloc;
	uint32_t *p;

	if (n > SIZE_MAX / sizeof(*p) - a->len)
		return -1;
	need = a->len + n;
	if (need <= a->alloc)
		return 0;
	alloc = a->alloc ? a->alloc : 256;
	while (alloc < need)
		alloc = alloc > SIZE_MAX / sizeof(*p) / 2 ? need : alloc * 2;
	p = realloc(a->v, alloc * sizeof(*p));
	if (!p)
		return -1;
	a->v = p;
	a->alloc = alloc;
	return 0;
}
