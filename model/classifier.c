/*
 * classifier.c: one interface over the model architectures (see
 * classifier.h).  The file's "arch" is read by opening it once with the
 * strict safetensors reader; the architecture's own open then validates
 * everything else.
 *
 * The encoder (model/encoder.h) is built by another branch; until it is
 * merged this file compiles without it and refuses encoder files.
 */
#include "classifier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linear.h"
#include "safetensors.h"
#include "../lib/err.h"
#if __has_include("encoder.h")
#include "encoder.h"
#define HAVE_ENCODER 1
#else
#define HAVE_ENCODER 0
#endif
#include "../lib/banned.h"

struct classifier {
	struct linear *lin;
#if HAVE_ENCODER
	struct encoder *enc;
#endif
	pthread_mutex_t lock;	/* serializes encoder calls */
};

int classifier_has_encoder(void)
{
	return HAVE_ENCODER;
}

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
#if HAVE_ENCODER
	} else if (!strcmp(arch, "encoder")) {
		rc = encoder_open(&c->enc, path, threads < 1 ? 1 : threads,
				  err);
#endif
	} else {
		rc = sl_error(err, "'%s': unknown model architecture '%s' "
			      "(this sluice reads %s)", path, arch,
			      HAVE_ENCODER ? "linear and encoder" : "linear");
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
#if HAVE_ENCODER
	encoder_close(c->enc);
#endif
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *classifier_arch(const struct classifier *c)
{
	return c->lin ? "linear" : "encoder";
}

size_t classifier_nlabels(const struct classifier *c)
{
#if HAVE_ENCODER
	if (c->enc)
		return encoder_nlabels(c->enc);
#endif
	return c->lin ? linear_nlabels(c->lin) : 0;
}

const char *classifier_label(const struct classifier *c, size_t i)
{
#if HAVE_ENCODER
	if (c->enc)
		return encoder_label(c->enc, i);
#endif
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
#if HAVE_ENCODER
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = encoder_score(c->enc, texts, lens, n, probs, err);
	pthread_mutex_unlock(&c->lock);
	return rc;
#else
	return sl_error(err, "no model");
#endif
}
