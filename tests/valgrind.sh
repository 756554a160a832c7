#!/bin/sh
# valgrind.sh: the end-to-end demo (tests/demo.sh) with every sluice
# command under valgrind's memcheck: any invalid read or write, use of
# uninitialised memory or definite leak fails the run (make valgrind).
set -eu
bin=$(pwd)/sluice
wrap=$(mktemp /tmp/sluice-vg.XXXXXX)
trap 'rm -f "$wrap"' EXIT
cat > "$wrap" <<W
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--track-origins=yes "$bin" "\$@"
W
chmod +x "$wrap"
SLUICE_BIN=$wrap sh tests/demo.sh
