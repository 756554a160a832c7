#!/bin/sh
# End-to-end: `sluice label` in a real terminal (tmux, 80x24): labelling,
# notes, flags, undo, skip, help, multi-label and binary tasks, the store
# rows behind each key; two annotators at once with overlap 1 and 2;
# resize and a too-small terminal; Chinese at the right width; kill -9
# mid-session; a corpus of escape-injection payloads that must not reach
# the terminal (title, clipboard, cursor, screen, bidi, C1, DCS).
. tests/lib.sh
. tests/tmux.sh

command -v tmux >/dev/null || fail "tmux is needed (make deps)"

# store DB gets the documents "id<TAB>text" of stdin (\e, \r, \b, \uXXXX
# escapes as in JSON), in order
mkstore() {
	python3 -c '
import json, sys
for line in sys.stdin:
    i, t = line.rstrip("\n").split("\t", 1)
    t = json.loads("\"" + t.replace("\\e", "\\u001b") + "\"")
    print(json.dumps({"id": i, "text": t, "url": "http://example.org/" + i}))
' > "$T/in.jsonl" || fail "cannot make the documents"
	expect_rc 0 "$SL" --db "$1" import "$T/in.jsonl"
}

# mktask DB NAME single|multi|binary LABELS(a,b) OVERLAP
mktask() {
	case $3 in
	multi) expect_rc 0 "$SL" --db "$1" task create "$2" --labels "$4" \
		--overlap "$5" --multi ;;
	binary) expect_rc 0 "$SL" --db "$1" task create "$2" --binary "$4" \
		--overlap "$5" ;;
	*) expect_rc 0 "$SL" --db "$1" task create "$2" --labels "$4" \
		--overlap "$5" ;;
	esac
}

q() { sqlite3 "$DB" "$1"; }
# expect_sql SQL WANT
expect_sql() {
	got=$(q "$1")
	[ "$got" = "$2" ] || fail "'$1' gave '$got', want '$2'"
	ok
}
# exited 0 (a sanitizer report or a leak would make it fail)
exit_ok() {
	st=$(tm_exit "$1")
	[ "$st" = 0 ] || { tm_screen "$1" >&2; fail "$1: sluice label exited '$st'"; }
	ok
}
cur_doc() { tm_row "$1" 0 | sed -n 's/.* doc \([^ ]*\) .*/\1/p'; }
label() { echo "$SL --db $DB label $*"; }

# --- one annotator, single-label task -----------------------------------
DB=$T/a.db
printf 'p1\tfirst plain document about football\np2\tsecond plain document about elections\np3\tthird about compilers\np4\tfourth\np5\tfifth\n' |
	mkstore "$DB"
mktask "$DB" topic single sports,politics,tech 1
# without a terminal, or with bad options: a message, no screen
expect_rc 1 "$SL" --db "$DB" label nosuch
expect_err "no task 'nosuch'"
expect_rc 1 env USER=ann "$SL" --db "$DB" label topic
expect_err "'sluice label' needs a terminal"
expect_rc 1 env -u USER -u LOGNAME "$SL" --db "$DB" label topic
expect_err "'sluice label' needs a terminal"
expect_rc 2 "$SL" --db "$DB" label --queue bogus topic
expect_err "unknown queue strategy 'bogus'"
expect_rc 2 "$SL" --db "$DB" label --lease 0 topic
expect_rc 2 "$SL" --db "$DB" label --annotator "" topic
expect_err "no annotator name"
tm_start a "$(label --annotator alice topic)"
tm_wait a "doc p1"
tm_wait a "1 sports  2 politics  3 tech"
tm_wait a "0/5 done  session 0"
tm capture-pane -e -p -t a | grep -q '\[44m' || fail "no colours without NO_COLOR"
ok
tm_keys a n
tm_wait a "note:"
tm_keys a -l "check this"
tm_keys a Enter
tm_wait a "note: check this"
tm_keys a f
tm_wait a "[flagged]"
tm_keys a 1
tm_wait a "doc p2"
expect_sql "SELECT d.id, a.labels, a.note, a.flagged, a.annotator FROM annotations a JOIN docs d ON d.rowid = a.doc" \
	'p1|["sports"]|check this|1|alice'
tm_keys a 2
tm_wait a "doc p3"
tm_keys a 3
tm_wait a "doc p4"
tm_wait a "3/5 done  session 3"
tm_keys a u
tm_wait a "doc p3"
tm_wait a "undone"
expect_sql "SELECT count(*) FROM annotations" 2
tm_keys a 2
tm_wait a "3/5 done  session 3"
tm_keys a BSpace
tm_wait a "doc p3"
tm_keys a Enter		# the undone answer, preselected: politics
# p4 or p5 next: the queue's cursor has passed p4 (it comes back when
# the walk wraps)
tm_wait a "3/5 done  session 3"
d=$(cur_doc a)
case $d in p4|p5) ok ;; *) fail "after the undo came '$d'" ;; esac
tm_keys a s
tm_gone a " doc $d "
tm_keys a '?'
tm_wait a "sluice label: keys"
tm_keys a q
tm_wait a " task topic  doc p"
tm_keys a h
tm_wait a "This task has no guidelines."
tm_keys a Escape
tm_wait a " task topic  doc p"
tm_keys a q
exit_ok a
expect_sql "SELECT group_concat(d.id || '=' || a.labels, ' ') FROM annotations a JOIN docs d ON d.rowid = a.doc ORDER BY a.rowid" \
	'p1=["sports"] p2=["politics"] p3=["politics"]'
expect_sql "SELECT count(*) FROM annotations WHERE seconds > 0 AND at LIKE '20%Z' AND answer = 'accept'" 3
expect_sql "SELECT count(DISTINCT session) FROM annotations" 1
# p1 was flagged: it waits for a review instead of getting a final label
expect_sql "SELECT group_concat(d.id || f.labels || f.source, ' ') FROM final_labels f JOIN docs d ON d.rowid = f.doc ORDER BY f.doc" \
	'p2["politics"]single p3["politics"]single'
expect_sql "SELECT count(*) FROM leases" 0
# review: the flagged p1 with alice's answer, note and flag; the
# reviewer's choice becomes its final label
tm_start r "$(label --annotator rita --review topic)"
tm_wait r " review topic  doc p1"
tm_wait r "answers: alice: sports [flagged] (note: check this)"
tm_wait r "1 sports  2 politics  3 tech"
tm_keys r 2
tm_wait r "Nothing left"
tm_keys r q
exit_ok r
expect_sql "SELECT f.labels || f.source FROM final_labels f JOIN docs d ON d.rowid = f.doc WHERE d.id = 'p1'" \
	'["politics"]review'

# --- multi-label and binary tasks ----------------------------------------
DB=$T/b.db
printf 'm1\tone\nm2\ttwo\nm3\tthree\n' | mkstore "$DB"
mktask "$DB" tags multi a,b,c 1
tm_start b "$(label --annotator bob tags)"
tm_wait b "doc m1"
tm_wait b "Enter saves"
tm_keys b n
tm_wait b "note:"
tm_keys b -l "注意 typo"
tm_keys b BSpace BSpace
tm_keys b -l "ok"
tm_wait b "note: 注意 tyok"
tm_keys b Enter
tm_wait b "note: 注意 tyok"
tm_keys b 1 3 2 2 Enter
tm_wait b "doc m2"
tm_keys b Enter
tm_wait b "doc m3"
tm_keys b q
exit_ok b
expect_sql "SELECT group_concat(labels, ' ') FROM annotations ORDER BY rowid" '["a","c"] []'
expect_sql "SELECT note FROM annotations ORDER BY rowid LIMIT 1" '注意 tyok'
mktask "$DB" tox binary toxic 1
tm_start c "$(label --annotator bob tox)"
tm_wait c "a toxic  x reject  space ignore"
tm_keys c a
tm_wait c "doc m2"
tm_keys c x
tm_wait c "doc m3"
tm_keys c Space
tm_wait c "Nothing left"
tm_keys c q
exit_ok c
expect_sql "SELECT group_concat(a.answer || a.labels, ' ') FROM annotations a JOIN tasks t ON t.rowid = a.task WHERE t.name = 'tox' ORDER BY a.rowid" \
	'accept["toxic"] reject[] ignore[]'
expect_sql "SELECT group_concat(f.answer || f.labels, ' ') FROM final_labels f JOIN tasks t ON t.rowid = f.task WHERE t.name = 'tox' ORDER BY f.doc" \
	'accept["toxic"] reject[]'

# --- two annotators at once, overlap 1 and 2 -----------------------------
DB=$T/c.db
for i in 01 02 03 04 05 06 07 08; do printf 'q%s\tdocument %s\n' $i $i; done |
	mkstore "$DB"
# both label, taking turns, until the task has WANT annotations; they
# must never have the same document on screen.  A session whose queue ran
# dry while the other held the last documents looks again by itself.
two_annotators() {
	tm_start alice "$(label --annotator alice "$1")"
	tm_start bob "$(label --annotator bob "$1")"
	tm_wait alice "/8 done"
	tm_wait bob "/8 done"
	tm_end=$(($(date +%s) + TM_TIMEOUT))
	while [ "$(q "SELECT count(*) FROM annotations a JOIN tasks t ON t.rowid = a.task WHERE t.name = '$1'")" != "$2" ]; do
		[ "$(date +%s)" -le "$tm_end" ] || fail "$1: annotations stuck"
		da=$(cur_doc alice) db=$(cur_doc bob)
		[ -z "$da" ] || [ "$da" != "$db" ] ||
			fail "alice and bob both have $da on screen"
		for who in alice bob; do
			d=$(cur_doc $who)
			[ -n "$d" ] || continue
			tm_keys $who 1
			tm_gone $who " doc $d "
		done
	done
	tm_wait alice "Nothing left"
	tm_wait bob "Nothing left"
	tm_keys alice q
	tm_keys bob q
	exit_ok alice
	exit_ok bob
}
mktask "$DB" o1 single yes,no 1
two_annotators o1 8
expect_sql "SELECT count(*), count(DISTINCT doc) FROM annotations WHERE task = (SELECT rowid FROM tasks WHERE name = 'o1')" '8|8'
mktask "$DB" o2 single yes,no 2
two_annotators o2 16
expect_sql "SELECT count(*), count(DISTINCT doc) FROM annotations WHERE task = (SELECT rowid FROM tasks WHERE name = 'o2')" '16|8'
expect_sql "SELECT count(*) FROM (SELECT doc FROM annotations WHERE task = (SELECT rowid FROM tasks WHERE name = 'o2') GROUP BY doc HAVING count(DISTINCT annotator) != 2)" 0
expect_sql "SELECT count(*) FROM (SELECT 1 FROM annotations GROUP BY task, doc, annotator HAVING count(*) > 1)" 0

# one document, overlap 2: while alice has it on screen bob waits, and he
# gets it by himself once she has decided
DB=$T/w.db
printf 'w1\tthe only one\n' | mkstore "$DB"
mktask "$DB" w single yes,no 2
tm_start alice "$(label --annotator alice w)"
tm_wait alice "doc w1"
tm_start bob "$(label --annotator bob w)"
tm_wait bob "Nothing left for you right now: 1 document is on other annotators' screens"
tm_keys alice 1
tm_wait alice "Nothing left to label in this task for you."
tm_wait bob "doc w1"
tm_keys bob 2
tm_wait bob "Nothing left to label in this task for you."
tm_keys alice q
tm_keys bob q
exit_ok alice
exit_ok bob
expect_sql "SELECT group_concat(annotator || labels, ' ') FROM annotations ORDER BY rowid" \
	'alice["yes"] bob["no"]'

# --- resize, too small, search, Chinese width ----------------------------
DB=$T/d.db
long=$(python3 -c 'print("The first document. " * 200)')
zh=$(python3 -c 'print("中文测试" * 30)')
printf 'long\t%s\nzh\t%s\n' "$long" "$zh" | mkstore "$DB"
mktask "$DB" r single x,y 1
# the classify stage's row (branch model-linear writes it this way)
q "INSERT INTO verdicts (doc, stage, version, decision, reason, score, at, detail) SELECT rowid, 'classify', '1', 'keep', NULL, 0.8734, '2026-01-01T00:00:00Z', '{\"label\":\"x\",\"threshold\":0.5,\"suggest\":\"x\"}' FROM docs WHERE id = 'long'" ||
	fail "cannot add a classify verdict"
tm_start d "$(label --annotator dee r)"
tm_wait d "doc long"
tm_wait d "model x 0.87  classify=keep"
[ "$(tm_row d 5)" = "The first document. The first document. The first document. The first document." ] ||
	fail "80 columns: row 5 is '$(tm_row d 5)'"
ok
tm resize-window -t d -x 50 -y 20
tm_poll d '[ "$(sed -n 6p "$T/screen" | sed "s/ *\$//")" = "The first document. The first document. The first" ]' ||
	fail "no re-wrap at 50 columns: '$(tm_row d 5)'"
ok
tm resize-window -t d -x 30 -y 8
tm_wait d "terminal too small"
tm_wait d "(need 40x10)"
tm resize-window -t d -x 60 -y 9
tm_wait d "terminal too small (need 40x10)"
tm_keys d 1			# no decision on a screen too small to read
tm resize-window -t d -x 80 -y 24
tm_wait d "doc long"
tm_keys d /
tm_wait d "/"
tm_keys d -l "DOCUMENT. The"
tm_keys d Enter
tm_wait d "n/N next/previous match"
tm capture-pane -e -p -t d | grep -q '\[46m' || fail "search match not highlighted"
ok
tm_keys d n G
tm_wait d "line 34/50"
tm_keys d Escape g
tm_wait d "line 1/50"
tm_keys d j
tm_wait d "line 2/50"
tm_keys d NPage
tm_wait d "line 18/50"	# a page is 17 rows, one kept
tm_keys d k
tm_wait d "line 17/50"
tm_keys d PPage
tm_wait d "line 1/50"
tm_keys d Space Down
tm_wait d "line 18/50"
tm_keys d Up C-l
tm_wait d "line 17/50"
tm_keys d g
tm_wait d "line 1/50"
tm_keys d 1
tm_wait d "doc zh"
row=$(python3 -c 'print("中文测试" * 10)')
for r in 5 6 7; do
	[ "$(tm_row d $r)" = "$row" ] || fail "Chinese row $r is '$(tm_row d $r)'"
	ok
done
[ -z "$(tm_row d 8)" ] || fail "Chinese text took more than 3 rows"
tm_keys d q
exit_ok d
expect_sql "SELECT count(*) FROM annotations" 1

# --- kill -9 mid-session loses only the document on screen -----------------
DB=$T/e.db
for i in 01 02 03 04 05; do printf 'k%s\tdocument %s\n' $i $i; done | mkstore "$DB"
mktask "$DB" k single yes,no 1
tm_start e "$(label --annotator alice --lease 2 k)"
tm_wait e "doc k01"
tm_keys e 1
tm_wait e "doc k02"
tm_keys e 2
tm_wait e "doc k03"
# while k03 is on screen its 2 s lease is renewed, without any key
e0=$(q "SELECT expires FROM leases")
tm_poll e '[ "$(q "SELECT count(*) FROM leases WHERE expires > $e0 + 0.5")" = 1 ]' ||
	fail "the lease was not renewed"
ok
kill -9 "$(tm_pid e)" || fail "cannot kill sluice label"
[ "$(tm_exit e)" = 137 ] || fail "sluice label survived kill -9"
ok
expect_sql "SELECT group_concat(d.id || a.labels, ' ') FROM annotations a JOIN docs d ON d.rowid = a.doc ORDER BY a.rowid" \
	'k01["yes"] k02["no"]'
expect_sql "SELECT d.id || ' ' || l.annotator FROM leases l JOIN docs d ON d.rowid = l.doc" 'k03 alice'
# while alice's lease holds, bob is given the next document ...
tm_start f "$(label --annotator bob k)"
tm_wait f "doc k04"
tm_keys f q
exit_ok f
# ... and once it expires, the one alice lost
live_leases() {
	q "SELECT count(*) FROM leases WHERE expires > (julianday('now') - 2440587.5) * 86400.0"
}
tm_poll f '[ "$(live_leases)" = 0 ]' ||
	fail "alice's lease never expired"
tm_start g "$(label --annotator bob k)"
tm_wait g "doc k03"
tm_keys g 1
tm_wait g "doc k04"
tm_keys g q
exit_ok g
expect_sql "SELECT count(*) FROM annotations" 3

# a session stopped past its lease: another annotator gets the document,
# and the decision of the stopped one is refused, not fatal
DB=$T/s.db
printf 's1\tone\ns2\ttwo\n' | mkstore "$DB"
mktask "$DB" s single yes,no 1
tm_start h "$(label --annotator alice --lease 1 s)"
tm_wait h "doc s1"
kill -STOP "$(tm_pid h)"
tm_poll h '[ "$(live_leases)" = 0 ]' || fail "alice's lease never expired"
tm_start i "$(label --annotator bob s)"
tm_wait i "doc s1"
kill -CONT "$(tm_pid h)"
tm_keys h 1
tm_wait h "not saved: document 1 is held by another session"
tm_wait h "doc s2"
tm_keys i 2
tm_wait i "Nothing left"
tm_keys h q
tm_keys i q
exit_ok h
exit_ok i
expect_sql "SELECT group_concat(annotator || labels, ' ') FROM annotations" 'bob["no"]'

# --- escape injection: nothing reaches the terminal ------------------------
DB=$T/x.db
cat > "$T/payloads" <<'EOF'
x1	title \e]0;PWNED-TITLE\u0007 after
x2	title \e]2;PWNED-TWO\e\\ after
x3	clip \e]52;c;cHduZWQ=\u0007 after
x4	cursor \e[1;1HOVERWRITE\e[2J\e[3J after
x5	reset \ec after
x6	bidi abc\u202edcba \u2066x\u2069 \u200b
x7	c1 \u009b2J \u009d0;C1TITLE\u009c after
x8	dcs \eP1$tx\e\\ link \e]8;;http://evil/\u0007click\e]8;;\u0007
x9	cr visible\roverwritten\b\b
xa	name \ekEVILNAME\e\\ after
EOF
mkstore "$DB" < "$T/payloads"
printf 'Be \033]0;GUIDE-PWN\007careful\033[2J.\n' > "$T/guide.txt"
expect_rc 0 "$SL" --db "$DB" task create esc --labels ok --guidelines "$T/guide.txt"
printf 'ev\033]2;NAME-PWN\007e' > "$T/who"
tm_start x "env NO_COLOR=1 $(label --annotator "'$(cat "$T/who")'" esc)"
tm_wait x "doc x1"
tm_wait x 'ev^[]2;NAME-PWN^Ge'	# the annotator name in the status line
title=$(tm_title x) wname=$(tm display -p -t x '#{window_name}')
check_clean() {
	tm_wait x "$1"
	[ "$(tm_title x)" = "$title" ] || fail "$2: pane title became '$(tm_title x)'"
	[ "$(tm display -p -t x '#{window_name}')" = "$wname" ] || fail "$2: window renamed"
	[ -z "$(tm list-buffers)" ] || fail "$2: a paste buffer appeared"
	tm_row x 0 | grep -q '^ task esc  doc' || fail "$2: header overwritten: '$(tm_row x 0)'"
	tm_row x 4 | grep -q '^────' || fail "$2: rule overwritten"
	ok
	tm_keys x 1
}
check_clean 'title ^[]0;PWNED-TITLE^G after' 'OSC 0'
tm capture-pane -e -p -t x | grep -q '\[7m' || fail "NO_COLOR: escapes not in reverse"
tm capture-pane -e -p -t x | grep -q '\[4[0-7]m' && fail "NO_COLOR: colours used"
ok
tm_keys x h
tm_wait x 'Be ^[]0;GUIDE-PWN^Gcareful^[[2J.'
tm_keys x Escape
tm_wait x " task esc  doc x2"
check_clean 'title ^[]2;PWNED-TWO^[\ after' 'OSC 2'
check_clean 'clip ^[]52;c;cHduZWQ=^G after' 'OSC 52'
check_clean 'cursor ^[[1;1HOVERWRITE^[[2J^[[3J after' 'CSI'
check_clean 'reset ^[c after' 'ESC c'
check_clean 'bidi abc<RLO>dcba <LRI>x<PDI> <ZWSP>' 'bidi'
check_clean 'c1 \x9b2J \x9d0;C1TITLE\x9c after' 'C1'
check_clean 'dcs ^[P1$tx^[\ link ^[]8;;http://evil/^Gclick^[]8;;^G' 'DCS, OSC 8'
check_clean 'cr visible^Moverwritten^H^H' 'CR, BS'
check_clean 'name ^[kEVILNAME^[\ after' 'ESC k'
tm_wait x "Nothing left"
tm_keys x q
exit_ok x
expect_sql "SELECT count(*) FROM annotations" 10

done_tests
