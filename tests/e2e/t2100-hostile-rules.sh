#!/bin/sh
# t2100: hostile rule packs and rules, each with a defined outcome: 10 000 rules load and scan; more
# than LH_MAX_RULES (20 000) is a clear limit error; oversized and over-nested YAML and aliases are
# refused; a rule matching every byte finishes, capped and reported; a rule with catastrophic
# backtracking finishes (PCRE2 match limit), the limit hit counted.
. "$(dirname "$0")/lib.sh"

mkdir t
printf 'x = bk01234_abcdefghij12\n' >t/a.txt

python3 - <<'PY'
def pack(n, path):
    with open(path, "w") as f:
        f.write("rules:\n")
        for i in range(n):
            f.write("- {id: bulk.r%05d, name: Bulk %d, pattern: 'bk%05d_([a-z0-9]{12})', "
                    "severity: low, confidence: low}\n" % (i, i, i))
pack(10000, "r10k.yml")
pack(20001, "r20k.yml")
PY

t_10k() {
    expect_exit 1 leakhound dir t --rules r10k.yml --no-builtin-rules -f jsonl
    python3 -c 'import json,sys
l=[json.loads(x) for x in open(sys.argv[1])]
assert [f["rule_id"] for f in l[:-1]]==["bulk.r01234"], l' "$OUT"
    expect_exit 0 leakhound rules list --rules r10k.yml --no-builtin-rules
    test "$(grep -c '^bulk\.r' "$OUT")" -eq 10000
}
test_expect "a pack of 10 000 rules loads and scans" t_10k

t_20k() {
    expect_exit 2 leakhound dir t --rules r20k.yml --no-builtin-rules
    grep_q 'r20k.yml:20002:3: rule bulk.r20000: more than 20000 rules in the rule set' "$ERR"
}
test_expect "more than 20 000 rules is a limit error naming file, line and rule" t_20k
rm -f r10k.yml r20k.yml

t_yaml_limits() {
    python3 -c 'open("huge.yml","w").write("# " + "x"*(5*1024*1024) + "\nrules: []\n")'
    expect_exit 2 leakhound dir t --rules huge.yml
    grep_q 'huge.yml:1:1: rule pack is larger than 4194304 bytes' "$ERR"
    python3 -c 'open("nest.yml","w").write("rules: " + "["*100 + "]"*100 + "\n")'
    expect_exit 2 leakhound dir t --rules nest.yml
    grep_q 'nest.yml:1:[0-9]*: YAML nesting deeper than 32 levels' "$ERR"
    printf "rules:\n- &a {id: x.y, name: X, pattern: '(q+)', severity: low, confidence: low}\n- *a\n" >alias.yml
    expect_exit 2 leakhound dir t --rules alias.yml
    grep_q 'alias.yml:2:3: .*anchors are not allowed' "$ERR"
}
test_expect "oversized, over-nested and aliased rule packs are refused (exit 2)" t_yaml_limits

cat >every.yml <<'EOF'
rules:
- id: test.every-byte
  name: Every byte
  pattern: '([\s\S])'
  severity: low
  confidence: low
EOF
python3 -c 'import random; r=random.Random(3); open("t/noise.txt","w").write("".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789 \n") for _ in range(300000)))'

t_every_byte() {
    expect_exit 1 leakhound dir t/noise.txt --rules every.yml --no-builtin-rules -f jsonl --stats
    # LH_MAX_MATCHES_PER_RULE findings are kept; the rest are counted and said
    python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); assert s["findings"]==64, s' "$OUT"
    grep_q 'match(es) over the per-rule limits were not reported' "$ERR"
    expect_exit 1 leakhound dir t/noise.txt --rules every.yml --no-builtin-rules -q
}
test_expect "a rule matching every byte finishes, capped at 64 findings, the rest reported" t_every_byte

# A lookahead makes Hyperscan prefilter, so PCRE2 gets the candidates; '(a+)+b' followed by the
# forbidden 'x' then backtracks through every way to split the a's (2^40 per line).
cat >redos.yml <<'EOF'
rules:
- id: test.redos
  name: Catastrophic backtracking
  pattern: '(?<secret>(a+)+b)(?!x)'
  severity: low
  confidence: low
EOF
python3 -c 'open("t/aaa.txt","w").write(("a"*40 + "bx\n")*200)'

t_redos() {
    start=$(date +%s)
    expect_exit 0 leakhound dir t/aaa.txt --rules redos.yml --no-builtin-rules --stats
    end=$(date +%s)
    test $((end - start)) -lt 120 || { echo "took $((end - start)) s"; false; }
    grep_q 'candidate(s) hit the regex match limit and were not confirmed' "$ERR"
}
test_expect "catastrophic backtracking finishes: the PCRE2 match limit stops it, counted" t_redos

test_done
