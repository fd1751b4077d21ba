#!/usr/bin/env bash
# A real single-node Slurm cluster from Debian's packages (munge, slurmctld,
# slurmd), configured in a temp dir on 127.0.0.1 and stopped at the end: submit
# a 4-shard evaluation with `gauntlet slurm submit`, requeue one array task
# while it runs, and check that the merged results equal a single-process run
# row for row. Exit 77 (ctest SKIP_RETURN_CODE) only when the packages are absent.
# usage: slurm_cluster_test.sh GAUNTLET_BINARY
set -euo pipefail
GAUNTLET="$(realpath "$1")"
SBIN_PATH="/usr/sbin:/sbin:$PATH"
for tool in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
  if ! PATH="$SBIN_PATH" command -v "$tool" >/dev/null; then
    echo "SKIPPED: '$tool' is not installed (Debian packages munge slurmctld slurmd slurm-client;" \
      "scripts/bootstrap-deps installs them)"
    exit 77
  fi
done
export PATH="$SBIN_PATH"

# Short path: the munge socket name must fit a sockaddr_un.
T="$(mktemp -d /tmp/gauntlet-slurm.XXXXXX)"
PIDS=()
fail() {
  echo "FAILED: $*" >&2
  exit 1
}
cleanup() {
  local rc=$?
  scancel --quiet --full "${ARRAY:-0}" "${MERGE:-0}" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    echo "--- logs ($T) ---" >&2
    tail -n 30 "$T"/log/*.log "$T"/eval/logs/*.log 2>/dev/null >&2 || true
  fi
  [ -n "${GAUNTLET_SLURM_KEEP:-}" ] || rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
CTLD_PORT="$(free_port)"
SLURMD_PORT="$(free_port)"
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT="$(free_port)"; done
USER_NAME="$(id -un)"
HOST="$(hostname -s)"

mkdir -p "$T/state" "$T/spool" "$T/log"
mkdir -m 700 "$T/munge"
head -c 1024 /dev/urandom >"$T/munge/munge.key"
chmod 600 "$T/munge/munge.key"
munged -F --force --key-file="$T/munge/munge.key" --socket="$T/munge/socket" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/log/munged.log" \
  --seed-file="$T/munge/seed" >"$T/log/munged.out.log" 2>&1 &
PIDS+=($!)

# Root in a container: no cgroups, no task affinity, plain process tracking.
cat >"$T/slurm.conf" <<CONF
ClusterName=gauntlet-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$T/munge/socket
CredType=cred/munge
SlurmUser=$USER_NAME
SlurmdUser=$USER_NAME
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=2
MinJobAge=600
NodeName=gauntletnode NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=4 RealMemory=1000 State=UNKNOWN
PartitionName=gauntlet Nodes=gauntletnode Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
for _ in $(seq 50); do [ -S "$T/munge/socket" ] && break; sleep 0.1; done
slurmctld -D -i >"$T/log/slurmctld.out.log" 2>&1 &
PIDS+=($!)
sleep 1
slurmd -D -N gauntletnode >"$T/log/slurmd.out.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  [ "$(sinfo -h -n gauntletnode -o %t 2>/dev/null)" = "idle" ] && break
  sleep 0.2
done
[ "$(sinfo -h -n gauntletnode -o %t)" = "idle" ] || fail "the Slurm node did not come up"
echo "slurm: controller on 127.0.0.1:$CTLD_PORT, node on :$SLURMD_PORT"

RUN=(--suite tabletop-smoke --policy noisy-scripted:0.3 --episodes 40)
cd "$T"
ARRAY="$("$GAUNTLET" slurm submit "${RUN[@]}" --shards 4 --out "$T/eval" --time 00:10:00)"
MERGE="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["merge_job"])' "$T/eval/slurm.json")"
echo "slurm: job array $ARRAY, merge job $MERGE"


status_field() {  # shard FIELD... from `gauntlet slurm status --json`, space-separated
  "$GAUNTLET" slurm status "$T/eval" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["shards"][int(sys.argv[1])]
print(" ".join(str(d[k]) for k in sys.argv[2:]))' "$@"
}
# Requeue shard 1 while it runs, once it has saved a few episodes (preemption).
requeued=""
for _ in $(seq 600); do
  read -r state finished planned <<<"$(status_field 1 state finished planned)"
  [ "$state" = "done" ] && fail "shard 1 finished before it could be requeued"
  if [ "$state" = "running" ] && [ "$finished" -ge 2 ]; then
    [ "$planned" -gt "$finished" ] || fail "shard 1 finished before it could be requeued"
    scontrol requeue "${ARRAY}_1"
    requeued="$finished"
    break
  fi
  sleep 0.1
done
[ -n "$requeued" ] || fail "shard 1 never ran"
# The reference: one process, the whole plan (runs while the cluster works).
"$GAUNTLET" run "${RUN[@]}" --workers 1 --videos 0 --out "$T/single.h5" 2>"$T/log/single.log" &
REFERENCE=$!
echo "slurm: requeued shard 1 after $requeued saved episodes"
# A requeued job waits out its old credentials (minutes) before it may start
# again; once it is pending, let it start now. Not within the second of the
# requeue: slurmd revokes the old credential with a time in whole seconds and
# refuses a launch whose credential is not newer ("Job credential revoked"),
# which ends the task for good and lets the merge job start early.
requeued_at=$(date +%s)
for _ in $(seq 150); do
  if [ "$(squeue -h -j "${ARRAY}_1" -o %T 2>/dev/null)" = "PENDING" ]; then
    while [ "$(date +%s)" -le $((requeued_at + 1)) ]; do sleep 0.1; done
    scontrol update jobid="${ARRAY}_1" StartTime=now && break
  fi
  sleep 0.2
done

# Wait for the merge job (it runs after every array task) to end; the
# controller keeps finished jobs for MinJobAge, so its final state is readable.
merge_state=""
for _ in $(seq 900); do
  merge_state="$(scontrol show job "$MERGE" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
  case "$merge_state" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  sleep 0.2
done
[ "$merge_state" = "COMPLETED" ] || fail "the merge job ended as '$merge_state' (expected COMPLETED)"
"$GAUNTLET" slurm status "$T/eval"
wait "$REFERENCE" || fail "the single-process reference run failed"

grep -q "attempt 2" "$T/eval/logs/shard-1.log" || fail "shard 1 did not run a second time"
grep -q "already in the results file" "$T/eval/logs/shard-1.log" ||
  fail "shard 1 did not resume its results file"
[ -f "$T/eval/report/report.md" ] || fail "the merge job wrote no report"
if grep -q "Incomplete run" "$T/eval/report/report.md"; then fail "the merged run is incomplete"; fi
[ "$(status_field 1 state)" = "done" ] || fail "status does not say shard 1 is done"

# Row for row: every column that does not measure time.
"$GAUNTLET" report "$T/single.h5" --out "$T/ref" --format csv 2>/dev/null
"$GAUNTLET" report "$T/eval/results.h5" --out "$T/merged" --format csv 2>/dev/null
cut -d, -f3-11 "$T/ref/episodes.csv" >"$T/ref.rows"
cut -d, -f3-11 "$T/merged/episodes.csv" >"$T/merged.rows"
[ "$(wc -l <"$T/ref.rows")" -eq 121 ] || fail "the reference has $(wc -l <"$T/ref.rows") lines, expected 121"
diff "$T/ref.rows" "$T/merged.rows" >&2 || fail "merged shards differ from the single-process run"
echo "PASSED: 4 shards on Slurm, shard 1 requeued after $requeued episodes, 120 rows equal the single run"
