#!/bin/bash
# Builds the rule parser with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (outside the server: shim.c stands in for the
# backend) and fuzzes it from the seed corpus for FUZZ_SECONDS (default 60).
# Exits non-zero on any finding. Needs clang, jansson and the server headers.
set -euo pipefail
cd "$(dirname "$0")"
root=../../..
seconds=${FUZZ_SECONDS:-60}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wno-ignored-attributes \
    -I"$root/src" -I"$($pg_config --includedir-server)" $(pkg-config --cflags jansson) \
    "$root/src/rule_parse.c" "$root/src/rule_ops.c" "$root/src/rule_text.c" "$root/src/title.c" shim.c fuzz_rule_parse.c \
    $(pkg-config --libs jansson) -o "$out/fuzz_rule_parse"
mkdir -p "$out/corpus"
cp seeds/* "$out/corpus/"
# -max_len: beyond the parser's own 1 MB limit is covered by the regress suite
# a finding is written to test/fuzz/out/ (kept for reproducing: run the binary on it)
mkdir -p ../out
"$out/fuzz_rule_parse" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=../out/ -print_final_stats=1 "$out/corpus" > "$out/log" 2>&1 || status=$?
tail -25 "$out/log"
exit "${status:-0}"
