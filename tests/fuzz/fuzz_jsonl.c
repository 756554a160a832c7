/*
 * fuzz_jsonl.c: the JSONL import path on hostile bytes: decompression
 * (plain, gzip, zstd by magic), line splitting with a small cap, UTF-8
 * repair, JSON scanning, field lookup and string decoding.  Properties:
 * no crash, repaired text is valid UTF-8, decoded strings are valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/jsonscan.h"
#include "../../lib/linereader.h"
#include "../../lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-jsonl-XXXXXX";
	int fd = mkstemp(path);
	struct linereader lr;
	struct sl_err err;
	struct jscan js;
	struct buf fixed, s;
	const char *line;
	size_t len;
	int rc;

	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	jscan_init(&js);
	buf_init(&fixed, 0);
	buf_init(&s, 0);
	if (linereader_open(&lr, path, 4096, &err) == 0) {
		while ((rc = linereader_next(&lr, &line, &len, &err)) != 0) {
			if (rc < 0 && rc != LR_TOOLONG)
				break;
			if (rc == LR_TOOLONG)
				continue;
			buf_reset(&fixed);
			if (utf8_repair(line, len, &fixed, NULL))
				abort();
			if (!utf8_valid(fixed.data, fixed.len))
				abort();
			if (jscan_object(&js, fixed.data, fixed.len))
				continue;
			for (size_t i = 0; i < js.n; i++) {
				buf_reset(&s);
				jscan_string(js.m[i].key, &s, NULL);
				if (!utf8_valid(s.data, s.len))
					abort();
				if (js.m[i].type == J_STR) {
					buf_reset(&s);
					jscan_string(js.m[i].val, &s, NULL);
					if (!utf8_valid(s.data, s.len))
						abort();
				}
			}
			jscan_get(&js, "text");
		}
		linereader_close(&lr);
	}
	buf_release(&fixed);
	buf_release(&s);
	jscan_release(&js);
	unlink(path);
	return 0;
}
