#!/usr/bin/env bash
# Mutation testing: a slow job, not part of the default `pytest` run.
#
# mutmut (3.x) seeds one small change at a time ("mutant") into the modules listed under
# [tool.mutmut] in pyproject.toml (what to mutate, which tests guard it) and runs the tests
# that call the changed function; a mutant no test notices is a bug the suite would miss.
# Prints the kill rate per module at the end (benchmarks/mutation_rate.py).
#
#   benchmarks/mutation.sh                     # everything configured (incremental: mutmut
#                                              # keeps results in mutants/ and re-tests only
#                                              # functions whose code changed)
#   benchmarks/mutation.sh "sim.costs.*"       # re-test the mutants matching a pattern
#   benchmarks/mutation.sh --survivors         # re-test only those missed last time
#   benchmarks/mutation.sh --fresh             # throw the previous results away first
#   benchmarks/mutation.sh --sample 80 --seed 1 [--resume]
#                                              # estimate: 80 random mutants per group (cost
#                                              # core, decision, sampling, report escaping),
#                                              # drawn from the generated mutants (any earlier
#                                              # run generates them); prints each group's kill
#                                              # rate with its standard error and 90% interval;
#                                              # --resume tests only those not tested yet
#
# MUTATION_WORKERS sets the parallel workers (default 1: nice to a shared machine).
# Inspect a mutant with `mutmut show NAME`, browse them with `mutmut browse`.
set -euo pipefail
cd "$(dirname "$0")/.."
# mutmut must import the mutated copies in mutants/, never the sources themselves
unset PYTHONPATH
# test order and set iteration fixed, so two runs give the same verdicts
export PYTHONHASHSEED=0
# the tests' caches (Vega bundle, serving SLA tables) shared by every test session, and the
# fastest tests first (tests/conftest.py): a mutant is mostly caught by its first failure
export FTRISK_TEST_CACHE_DIR="$PWD/mutants/.cache"
export FTRISK_TEST_DURATIONS="$PWD/mutants/mutmut-stats.json"

workers="${MUTATION_WORKERS:-1}"
names=()
sample=""
case "${1:-}" in
  --sample)
    n="${2:?--sample needs a number of mutants per group}"
    shift 2
    seed=1
    if [ "${1:-}" = "--seed" ]; then seed="${2:?--seed needs a number}"; shift 2; fi
    sample="mutants/sample-$n-seed$seed.txt"
    mkdir -p mutants
    python benchmarks/mutation_rate.py --sample "$n" --seed "$seed" > "$sample.new" || {
      rm -f "$sample.new"
      echo "no mutants to sample from: generate them with a first run, e.g." \
           "benchmarks/mutation.sh 'sim.decision.metrics.*'" >&2
      exit 2; }
    mv "$sample.new" "$sample"
    if [ "${1:-}" = "--resume" ]; then
      # only the sampled mutants not tested yet (an interrupted sample run)
      shift
      mapfile -t names < <(python benchmarks/mutation_rate.py --names-unrun --only "$sample")
    else
      mapfile -t names < "$sample"
    fi
    if [ "${#names[@]}" -eq 0 ]; then
      echo "every mutant of $sample is tested"
      exec python benchmarks/mutation_rate.py --survivors --only "$sample"
    fi
    echo "sample: testing ${#names[@]} mutants of $sample" ;;
  --fresh) rm -rf mutants; shift ;;
  --survivors)
    shift
    mapfile -t names < <(python benchmarks/mutation_rate.py --names-missed)
    if [ "${#names[@]}" -eq 0 ]; then
      echo "no missed mutants to re-test"
      exec python benchmarks/mutation_rate.py
    fi ;;
esac
names+=("$@")

mkdir -p mutants "$FTRISK_TEST_CACHE_DIR"
start=$(date +%s)
nice -n 10 mutmut run --max-children "$workers" ${names[@]+"${names[@]}"} \
  > mutants/run.log 2>&1 || { tail -n 40 mutants/run.log; exit 1; }
echo "mutmut finished in $(( $(date +%s) - start )) s with $workers worker(s); log: mutants/run.log"
if [ -n "$sample" ]; then
  python benchmarks/mutation_rate.py --survivors --only "$sample"
else
  python benchmarks/mutation_rate.py --survivors
fi
