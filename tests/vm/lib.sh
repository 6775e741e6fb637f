# Test library for tests/qemu/tNNNN-area-detail.sh scripts (bash), in the manner of git's t/.
#
#   test_description='...'
#   . "$(dirname "$0")/../vm/lib.sh"
#   test_expect_success [PREREQ,...] 'what it checks' '
#       commands && chained && with &&
#   '
#   test_done
#
# Output is TAP, so `prove` runs the scripts. Each script runs in its own scratch directory
# (build/test-tmp/SCRIPT), removed after a clean run. Options:
#   -v, --verbose   show the commands' output       -i, --immediate  stop at the first failure
#   -k, --keep      keep the scratch directory      -x               trace the commands
# Every test body must join its command lines with && (test_chain_lint, as git's chain lint);
# KHIB_TEST_LINT_ONLY=1 only lints the bodies (make check-chainlint: all scripts, no QEMU).
# Prerequisites: QEMU (qemu-system-x86_64 and a built kernel), KVM (/dev/kvm usable), TCG, ROOT
# (uid 0), and any NAME the script defines as a function prereq_NAME.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/vm.sh"

test_name=$(basename "$0" .sh)
test_verbose=${KHIB_TEST_VERBOSE:-} test_immediate="" test_keep="" test_trace=""
for arg in "$@"; do
	case "$arg" in
	-v|--verbose) test_verbose=1 ;;
	-i|--immediate) test_immediate=1 ;;
	-k|--keep) test_keep=1 ;;
	-x) test_trace=1 ;;
	*) echo "usage: $0 [-v] [-i] [-k] [-x]" >&2; exit 2 ;;
	esac
done

TEST_DIR=${KHIB_TEST_TMP:-$KHIB_BUILD/test-tmp}/$test_name
rm -rf "$TEST_DIR"
mkdir -p "$TEST_DIR"
cd "$TEST_DIR" || exit 1
test_count=0 test_failed=0 test_skipped=0

test_have_prereq() {
	local p
	for p in ${1//,/ }; do
		case "$p" in
		QEMU) command -v "$KHIB_QEMU" >/dev/null && [ -r "$KHIB_BUILD/kernel/bzImage" ] &&
			[ -r "$KHIB_BUILD/guest/a.img" ] || return 1 ;;
		KVM) [ "$(vm_accel)" = "-accel kvm" ] || return 1 ;;
		TCG) [ "$(vm_accel)" = "-accel tcg" ] || return 1 ;;
		ROOT) [ "$(id -u)" = 0 ] || return 1 ;;
		*)
			# A script may define its own: prereq_NAME, true when NAME is met.
			declare -F "prereq_$p" >/dev/null || { echo "lib.sh: unknown prerequisite $p" >&2; return 1; }
			"prereq_$p" || return 1 ;;
		esac
	done
}

# test_chain_lint CODE: every command line of a test body is joined to the next one by &&
# (or ||, |), as in git's t/: a line that is not runs on after a failure, and the body passes
# on its last command alone. Exempt: the last command, a line that opens a block or the next
# one that closes it ({ } ( ) then do else fi done case in esac ;;), continued lines (\),
# comments and here-documents. Says the first unjoined line and fails.
test_chain_lint() {
	local line prev="" heredoc="" tabs="" l
	while IFS= read -r line; do
		if [ -n "$heredoc" ]; then
			l=$line
			[ -n "$tabs" ] && l=${l#"${l%%[!$'\t']*}"}
			[ "$l" = "$heredoc" ] && heredoc=""
			continue
		fi
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		case $line in ''|'#'*) continue ;; esac
		if [ -n "$prev" ]; then
			case $line in
			'}'*|')'*|fi|'fi '*|'fi;'*|done*|esac*|else|'else '*|elif*|';;'*) ;;
			*)
				case $prev in
				*'&&'|*'||'|*'|'|*'\'|*'{'|*'('|then|*' then'|do|*' do'|else|*' in'|*';;') ;;
				*) echo "test_chain_lint: not joined by &&: '$prev' (then '$line')"; return 1 ;;
				esac ;;
			esac
		fi
		if [[ $line =~ \<\<(-?)[\\\'\"]*([A-Za-z_][A-Za-z0-9_]*) ]]; then
			tabs=${BASH_REMATCH[1]} heredoc=${BASH_REMATCH[2]}
		fi
		prev=$line
	done <<< "$1"
}

# test_expect_success [PREREQS] DESCRIPTION CODE
test_expect_success() {
	local prereq="" desc code rc
	[ $# = 3 ] && { prereq=$1; shift; }
	desc=$1 code=$2
	test_count=$((test_count + 1))
	if ! test_chain_lint "$code" > "$TEST_DIR/.lint"; then
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		sed 's/^/#   /' "$TEST_DIR/.lint"
		[ -z "$test_immediate" ] || test_done
		return 0
	fi
	if [ -n "${KHIB_TEST_LINT_ONLY:-}" ]; then
		echo "ok $test_count - $desc # lint only"
		return 0
	fi
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count # skip $desc (missing $prereq)"
		return 0
	fi
	if [ -n "$test_verbose" ]; then
		( [ -n "$test_trace" ] && set -x; eval "$code" )
		rc=$?
	else
		( [ -n "$test_trace" ] && set -x; eval "$code" ) > "$TEST_DIR/.out" 2>&1
		rc=$?
	fi
	if [ $rc = 0 ]; then
		echo "ok $test_count - $desc"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		[ -n "$test_verbose" ] || sed 's/^/#   /' "$TEST_DIR/.out" | tail -60
		if [ -n "$test_immediate" ]; then
			test_done
		fi
	fi
}

# test_expect_code CODE COMMAND...: COMMAND exits with CODE (within a test's && chain).
test_expect_code() {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ $rc = "$want" ] || { echo "test_expect_code: '$*' exited $rc, not $want" >&2; return 1; }
}

# test_skip_all REASON: the whole script is skipped here (TAP "1..0 # SKIP").
test_skip_all() {
	echo "1..0 # SKIP $*"
	cd / && rm -rf "$TEST_DIR"
	exit 0
}

# test_info TEXT: a TAP comment, shown by prove -v and kept in logs (figures, timings).
test_info() {
	echo "# $*"
}

test_done() {
	echo "1..$test_count"
	if [ $test_failed = 0 ] && [ -z "$test_keep" ]; then
		cd / && rm -rf "$TEST_DIR"
	else
		echo "# scratch directory kept: $TEST_DIR"
	fi
	[ $test_failed = 0 ] && exit 0
	exit 1
}
