#!/bin/sh
# deps.sh PKG...: install the Debian packages that are missing.
# As root it runs apt-get; otherwise it prints the command and fails, so a
# build never starts half-equipped.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >&2
else
	echo "deps: missing Debian packages; run:" >&2
	echo "  sudo apt-get install$missing" >&2
	exit 1
fi
