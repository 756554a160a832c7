# tmux.sh: drive a full-screen program in a real terminal (tmux), for the
# end-to-end drivers of the TUI.  Source it after tests/lib.sh.
#
# Every driver gets its own tmux server (a socket under $T), started from
# a config that keeps dead panes (to read their exit status), lets OSC 52
# reach tmux's paste buffers (so a clipboard injection would show), and
# allows OSC 0/2 window titles (so a title injection would show).  Nothing
# waits a fixed time: tm_wait polls capture-pane until the text appears or
# TM_TIMEOUT seconds pass.
#
#   tm_start NAME 'command line'      # 80x24 window named NAME
#   tm_wait NAME 'expected text'      # fails the test on timeout
#   tm_keys NAME 1 2 Enter            # tmux send-keys
#   tm_exit NAME                      # wait for the program to end; prints
#                                     # its exit status
: "${TM_TIMEOUT:=20}"
TM_SOCK="$T/tmux.sock"
cat > "$T/tmux.conf" <<'EOF'
set -g remain-on-exit on
set -g set-clipboard on
set -g allow-rename on
set -g automatic-rename off
set -g history-limit 0
set -g status off
EOF
tm() { tmux -u -S "$TM_SOCK" -f "$T/tmux.conf" "$@"; }
tm_cleanup() { tm kill-server 2>/dev/null; rm -rf "$T"; }
trap tm_cleanup EXIT

# tm_start NAME CMDLINE [COLS ROWS]: the program's pid goes to
# $T/NAME.pid (it is exec'd, so kill -9 hits it), its exit status to
# $T/NAME.exit (tmux's own #{pane_dead_status} is not always set).
cat > "$T/tm_run.sh" <<'EOF'
name=$1; shift
sh -c 'echo $$ > "$0.pid"; exec "$@"' "$name" "$@"
echo $? > "$name.exit"
EOF
tm_start() {
	tm kill-session -t "=$1" 2>/dev/null	# a dead one of that name
	rm -f "$T/$1.pid" "$T/$1.exit"
	tm new-session -d -s "$1" -x "${3:-80}" -y "${4:-24}" \
		"sh $T/tm_run.sh $T/$1 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen $2" ||
		fail "cannot start tmux session $1"
}
tm_screen() { tm capture-pane -p -t "$1"; }
tm_keys() { tm_k=$1; shift; tm send-keys -t "$tm_k" "$@"; }
tm_pid() { cat "$T/$1.pid"; }
tm_title() { tm display -p -t "$1" '#{pane_title}'; }

# tm_poll NAME SH-TEST: until SH-TEST (run with the screen in $T/screen)
# succeeds; 1 on timeout.
tm_poll() {
	tm_end=$(($(date +%s) + TM_TIMEOUT))
	while :; do
		tm_screen "$1" > "$T/screen" 2>/dev/null
		eval "$2" && return 0
		[ "$(date +%s)" -gt "$tm_end" ] && return 1
		sleep 0.05
	done
}
tm_wait() {
	tm_want=$2
	tm_poll "$1" 'grep -qF -- "$tm_want" "$T/screen"' ||
		{ cat "$T/screen" >&2; fail "screen of $1 never showed '$2'"; }
	ok
}
# tm_gone NAME TEXT: wait until the screen no longer shows TEXT
tm_gone() {
	tm_want=$2
	tm_poll "$1" '! grep -qF -- "$tm_want" "$T/screen"' ||
		{ cat "$T/screen" >&2; fail "screen of $1 still shows '$2'"; }
}
# tm_row NAME N: row N (0 = top) of the screen, trailing blanks removed
tm_row() { tm_screen "$1" | sed -n "$(($2 + 1))p" | sed 's/ *$//'; }
tm_exit() {
	tm_poll "$1" '[ -s "$T/$1.exit" ]' ||
		{ cat "$T/screen" >&2; fail "$1 did not exit"; }
	cat "$T/$1.exit"
}
