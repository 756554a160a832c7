/*
 * replay_main.c: run a libFuzzer target over its saved corpus without
 * libFuzzer, so `make check` (and `make asan`) replay every seed and every
 * crash ever found as a plain regression test.
 *
 * The binary build/fuzz/fuzz_NAME reads tests/fuzz/corpus/NAME/ (or the
 * files and directories given as arguments) and calls
 * LLVMFuzzerTestOneInput on each file.  A crash is the failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(n > 0 ? (size_t)n : 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(p, (size_t)n);
	free(p);
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char sub[4096];

	if (stat(path, &sb))
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (run_path(sub, count)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	char dir[512];
	int count = 0;

	base = base ? base + 1 : argv[0];
	if (!strncmp(base, "fuzz_", 5))
		base += 5;
	if (argc < 2) {
		snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", base);
		if (run_path(dir, &count)) {
			fprintf(stderr, "%s: cannot read corpus '%s'\n", argv[0], dir);
			return 1;
		}
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count)) {
			fprintf(stderr, "%s: cannot read '%s'\n", argv[0], argv[i]);
			return 1;
		}
	printf("fuzz replay %s: %d inputs, no crash\n", base, count);
	return 0;
}
