#!/bin/bash
# Mutation run: applies each mutant of mutants.txt to a copy of the tree,
# builds and installs it, and runs the pg_regress suite in a throw-away
# cluster; a mutant is killed when the suite fails. Prints each mutant's fate
# and the score, then installs the unmutated build again. About a minute a
# mutant on 2 cores; not part of test/run-tests.sh. Needs root (make install).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
pg_config=/usr/lib/postgresql/15/bin/pg_config
work=$(mktemp -d)
trap 'make -s -C "$work/base" install PG_CONFIG=$pg_config >/dev/null; rm -rf "$work"' EXIT

# The mutants: file, text, replacement, what it breaks (one per line, tab-separated)
perl -e '
    local $/; my $all = <>; $all =~ s/^#.*\n//mg;
    for my $block (split /^%%\n/m, $all) {
        my @p = split / \@\@ /, $block; $p[3] =~ s/\s+$//;
        s/\\n/\n/g, s/\\t/\t/g for @p[1, 2];
        print join("\x1f", @p), "\x1e";
    }' "$here/mutants.txt" > "$work/mutants"

# the tree as it is now, so that editing it meanwhile changes nothing here
mkdir "$work/base"
git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$work/base")

total=0; killed=0; survivors=""
while IFS= read -r -d $'\x1e' m; do
    IFS=$'\x1f' read -r -d '' file from to what < <(printf '%s' "$m") || true
    total=$((total + 1))
    rm -rf "$work/tree"; cp -a "$work/base" "$work/tree"
    if ! FROM="$from" TO="$to" perl -0pi -e '
            my $n = () = /\Q$ENV{FROM}\E/g;
            die "found $n times\n" unless $n == 1;
            s/\Q$ENV{FROM}\E/$ENV{TO}/' "$work/tree/$file"; then
        echo "mutant $total ($file): its text is not in the file once; fix mutants.txt"; exit 2
    fi
    if ! make -s -C "$work/tree" PG_CONFIG=$pg_config >/dev/null 2>&1 ||
       ! make -s -C "$work/tree" install PG_CONFIG=$pg_config >/dev/null 2>&1; then
        fate=killed; why="(does not build)"
    elif (cd "$work/tree" && pg_virtualenv -t -v 15 make -s installcheck ISOLATION= PG_CONFIG=$pg_config) \
            > "$work/log" 2>&1; then
        fate=survived; why=""
    else
        fate=killed; why="($(grep -cE '\.\.\. FAILED' "$work/log") tests failed)"
    fi
    [ "$fate" = killed ] && killed=$((killed + 1)) || survivors="$survivors\n  - $what"
    printf 'mutant %2d %-8s %s %s\n' "$total" "$fate" "$what" "$why"
done < "$work/mutants"
echo "mutation score: $killed of $total killed ($((100 * killed / total)) %)"
[ -n "$survivors" ] && printf 'survivors:%b\n' "$survivors"
exit 0
