/*
 * classifier.c: one interface over the model architectures (see
 * classifier.h).  The file's "arch" is read by opening it once with the
 * strict safetensors reader; the architecture's own open then validates
 * everything else.
 */
#include "classifier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linear.h"
#include "safetensors.h"
#include "encoder.h"
#include "../lib/err.h"
#include "../lib/banned.h"

struct classifier {
	struct linear *lin;
	struct encoder *enc;
	pthread_mutex_t lock;	/* serializes encoder calls */
};

static int read_arch(const char *path, char *arch, size_t n,
		     struct sl_err *err)
{
	struct safetensors *st;
	const char *a;

	if (safetensors_open(&st, path, err))
		return -1;
	a = safetensors_meta(st, "arch");
	snprintf(arch, n, "%s", a ? a : "");
	safetensors_close(st);
	return 0;
}

int classifier_open(struct classifier **out, const char *path, int threads,
		    struct sl_err *err)
{
	struct classifier *c;
	char arch[32];
	int rc = -1;

	*out = NULL;
	if (read_arch(path, arch, sizeof(arch), err))
		return -1;
	if (!(c = calloc(1, sizeof(*c))))
		return sl_error(err, "out of memory");
	pthread_mutex_init(&c->lock, NULL);
	if (!strcmp(arch, "linear")) {
		rc = linear_open(&c->lin, path, err);
	} else if (!strcmp(arch, "encoder")) {
		rc = encoder_open(&c->enc, path, threads < 1 ? 1 : threads,
				  err);
	} else {
		rc = sl_error(err, "'%s': unknown model architecture '%s' "
			      "(this sluice reads %s)", path, arch,
			      "linear and encoder");
	}
	if (!rc && classifier_nlabels(c) > CLASSIFIER_MAX_LABELS)
		rc = sl_error(err, "'%s': more than %d classes", path,
			      CLASSIFIER_MAX_LABELS);
	if (rc) {
		classifier_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void classifier_close(struct classifier *c)
{
	if (!c)
		return;
	linear_free(c->lin);
	encoder_close(c->enc);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *classifier_arch(const struct classifier *c)
{
	return c->lin ? "linear" : "encoder";
}

size_t classifier_nlabels(const struct classifier *c)
{
	if (c->enc)
		return encoder_nlabels(c->enc);
	return c->lin ? linear_nlabels(c->lin) : 0;
}

const char *classifier_label(const struct classifier *c, size_t i)
{
	if (c->enc)
		return encoder_label(c->enc, i);
	return linear_label(c->lin, i);
}

int classifier_find(const struct classifier *c, const char *name)
{
	for (size_t i = 0; i < classifier_nlabels(c); i++)
		if (!strcmp(classifier_label(c, i), name))
			return (int)i;
	return -1;
}

int classifier_score(struct classifier *c, const char *const *texts,
		     const size_t *lens, size_t n, float *probs,
		     struct sl_err *err)
{
	if (c->lin) {
		size_t k = linear_nlabels(c->lin);

		for (size_t i = 0; i < n; i++)
			linear_score(c->lin, texts[i], lens[i], probs + i * k);
		return 0;
	}
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = encoder_score(c->enc, texts, lens, n, probs, err);
	pthread_mutex_unlock(&c->lock);
	return rc;
}
