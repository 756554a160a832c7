/*
 * schema.c: schema.sql, compiled into the binary.
 *
 * The assembler's .incbin copies the file's bytes into .rodata at build time
 * (the Makefile makes this object depend on schema.sql), followed by a NUL
 * so the text is a C string.  No generator, no xxd, one source of truth.
 */
#include "db.h"

__asm__(
	".section .rodata\n"
	".global sl_schema_sql\n"
	".type sl_schema_sql, @object\n"
	".balign 16\n"
	"sl_schema_sql:\n"
	".incbin \"schema.sql\"\n"
	".byte 0\n"
	".size sl_schema_sql, . - sl_schema_sql\n"
	".previous\n");
