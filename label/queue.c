/* queue.c: the labelling queue (see queue.h).  Work in progress: the
 * interface is final, the implementation follows. */
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "../lib/err.h"
#include "../lib/banned.h"

static const char *const strategy_names[] = {
	"sequential", "random", "uncertain", "flagged", "disagree",
};

const char *queue_strategy_name(enum queue_strategy s)
{
	return (unsigned)s <= QUEUE_DISAGREE ? strategy_names[s] : "?";
}

int queue_strategy_parse(const char *s, enum queue_strategy *out,
			 struct sl_err *err)
{
	for (int i = 0; i <= QUEUE_DISAGREE; i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = (enum queue_strategy)i;
			return 0;
		}
	return sl_error(err, "unknown queue strategy '%s' (sequential, random, "
			"uncertain, flagged, disagree)", s);
}

int queue_open(struct queue **out, struct store *st, const struct task *t,
	       const char *annotator, const struct queue_opts *o,
	       struct sl_err *err)
{
	*out = NULL;
	return sl_error(err, "queue: not implemented yet");
}

int queue_next(struct queue *q, struct queue_item **item, struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

int queue_decide(struct queue *q, int64_t doc, const struct decision *d,
		 struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

int queue_undo(struct queue *q, int64_t *doc, struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

int queue_skip(struct queue *q, int64_t doc, struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

int queue_progress(struct queue *q, struct queue_progress *p,
		   struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

int queue_renew(struct queue *q, struct sl_err *err)
{
	return sl_error(err, "queue: not implemented yet");
}

void queue_close(struct queue *q)
{
}

const char *queue_session(const struct queue *q)
{
	return "";
}
