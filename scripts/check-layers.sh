#!/bin/sh
# The layering rules of DESIGN.md, checked on the sources (make test runs it):
#   util/, k8s/, core/ and sim/ never include curses, tui/ or views/;
#   k8s/ and util/ never include core/; sim/ shares JSON shapes with the
#   client, not code: it never includes k8s/ or core/;
#   views/ read nothing from a cluster themselves: no k8s_get, k8s_list,
#   k8s_path, k8s_request, k8s_pod_logs or JSON parsing of their own (core/ does
#   the I/O, on the views' worker threads).
# Prints each breach as FILE:LINE: text, and exits 1 when there is one.
set -u
cd "${1:-.}" || exit 2
bad=0
breach() { # rule, grep pattern, files...
	rule=$1 pat=$2
	shift 2
	out=$(grep -nE "$pat" "$@" 2>/dev/null)
	if [ -n "$out" ]; then
		echo "layers: $rule"
		echo "$out" | sed 's/^/  /'
		bad=1
	fi
}
breach "no curses, tui/ or views/ below the views" \
	'#include[[:space:]]*[<"](n?curses|tui/|views/)' util/*.[ch] k8s/*.[ch] core/*.[ch] sim/*.[ch]
breach "k8s/ and util/ know nothing of core/" '#include[[:space:]]*"core/' util/*.[ch] k8s/*.[ch]
breach "sim/ shares JSON shapes with the client, not its code" \
	'#include[[:space:]]*"(k8s|core)/' sim/*.[ch]
breach "views/ do no cluster I/O of their own (move it into core/)" \
	'k8s_(get|list|path|request|post|put|patch|apply|delete|pod_logs)[a-z_]*\(|cJSON_Parse' views/*.[ch]
[ $bad -eq 0 ] && echo "layers: util, k8s, core, sim, tui, views as DESIGN.md draws them"
exit $bad
