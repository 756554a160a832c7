/*
 * termsafe.h: make hostile text safe to draw on a terminal.
 *
 * Every string the labelling UI shows (document text, url, source, notes,
 * labels, annotator names, guidelines, verdicts) passes through
 * termsafe_clean() first; nothing else reaches the screen.  Web text can
 * carry escape sequences that retitle the window (OSC 0/2), write the
 * clipboard (OSC 52), move the cursor, clear the screen, or reorder what the
 * annotator reads (bidi overrides).  The cleaner never passes such bytes on:
 * it shows them, so the annotator sees that the document carries them.
 *
 *   invalid UTF-8          U+FFFD (one per bad byte)
 *   C0 controls, DEL       caret notation: ^[ ^H ^M ^G ... ^?
 *   C1 controls U+0080-9F  \x9b
 *   ESC sequences          the whole CSI / OSC / DCS / SOS / PM / APC
 *                          sequence (up to its final byte or terminator),
 *                          or a lone ESC, in the escape attribute
 *   CR LF                  '\n' (a line ending, not an overwrite); a lone
 *                          CR is ^M
 *   TAB                    spaces to the next multiple of 8 columns
 *   bidi controls          <LRE> <RLE> <PDF> <LRO> <RLO> <LRI> <RLI> <FSI>
 *                          <PDI> <LRM> <RLM> <ALM>
 *   zero-width characters  <ZWSP> <ZWNJ> <ZWJ> <WJ> <BOM>
 *   other format (Cf) and
 *   unassigned code points <U+E0041> (tag characters, invisible operators,
 *                          code points the width table does not know)
 *   U+2028, U+2029         '\n' (line and paragraph separators)
 *   '\n'                   kept, or ^J with TERMSAFE_LINE
 *
 * Invariant of the output (tests/fuzz/fuzz_termsafe.c checks it): valid
 * UTF-8; no byte below 0x20 except '\n' (none at all with TERMSAFE_LINE);
 * no 0x7f; no C1 code point; none of the bidi or zero-width characters
 * above.  ts->attr holds one byte per byte of ts->text: TERMSAFE_PLAIN, or
 * TERMSAFE_ESC for bytes that stand for something that was not shown as
 * itself (draw those in a distinct attribute).
 *
 *   struct termsafe ts;
 *   termsafe_init(&ts, 64 << 20);           // cap on the output bytes
 *   if (termsafe_clean(&ts, p, n, 0)) ...   // BUF_NOMEM or BUF_TOOBIG
 *   draw(ts.text.data, ts.attr.data, ts.text.len);
 *   termsafe_release(&ts);
 *
 * termsafe_clean() replaces the previous contents (memory is reused).  The
 * output is at most TERMSAFE_GROWTH times the input plus a few bytes.
 */
#ifndef SL_TERMSAFE_H
#define SL_TERMSAFE_H

#include <stddef.h>

#include "../lib/buf.h"

enum { TERMSAFE_PLAIN = 0, TERMSAFE_ESC = 1 };

/* flags */
enum { TERMSAFE_LINE = 1 };	/* one line: '\n' shown as ^J */

#define TERMSAFE_GROWTH 10

struct termsafe {
	struct buf text;	/* the safe UTF-8, NUL-terminated */
	struct buf attr;	/* one TERMSAFE_* byte per byte of text */
	size_t nesc;		/* how many things were shown as escapes */
};

void termsafe_init(struct termsafe *ts, size_t cap);
void termsafe_release(struct termsafe *ts);

/* Clean p[0..n) into ts; 0, or a BUF_* error (the contents are then
 * incomplete but still safe). */
int termsafe_clean(struct termsafe *ts, const char *p, size_t n,
		   unsigned flags);

/* 1 when cp must never reach the terminal as itself (controls, bidi and
 * zero-width characters, format and unassigned code points). */
int termsafe_hidden(int cp);

#endif
