#!/usr/bin/env bash
# A one-node Slurm 22.05 cluster on this machine, for the launcher test (and by hand):
#   build/slurm-test-cluster.sh start DIR   # writes DIR/slurm.conf, starts munged, slurmctld and slurmd; prints SLURM_CONF=...
#   build/slurm-test-cluster.sh stop DIR    # stops the daemons it started, leaves DIR for the caller to delete
# Needs root and Debian's slurmctld, slurmd and munge (build/setup.sh installs them). Ports are picked free; the
# daemons' state, logs and pid files live in DIR, so nothing under /etc/slurm or /var is used besides the munge key.
set -euo pipefail
cmd=${1:?start or stop}; dir=${2:?a folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
host=$(hostname -s)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Stops the process whose id start recorded in DIR/pids/NAME (daemons delete their own pid files as they exit).
stop_pid() {
  local f="$dir/pids/$1" pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

case "$cmd" in
start)
  [ "$(id -u)" = 0 ] || { echo "error: the test cluster runs its daemons as root" >&2; exit 2; }
  for b in munged slurmctld slurmd sbatch; do command -v "$b" >/dev/null || { echo "error: $b is missing; run build/setup.sh" >&2; exit 2; }; done
  # munge: a key readable by the munge user only, the daemon as that user, its socket in DIR.
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  mkdir -p "$dir/munge"; chown munge:munge "$dir/munge"; chmod 755 "$dir/munge"
  runuser -u munge -- munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --force
  mkdir -p "$dir/state" "$dir/spool"
  cat > "$dir/slurm.conf" <<CONF
ClusterName=wideminima
SlurmctldHost=$host
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" -i
  slurmd -f "$SLURM_CONF"
  mkdir -p "$dir/pids"
  for _ in $(seq 100); do
    [ -s "$dir/munge/munged.pid" ] && cp "$dir/munge/munged.pid" "$dir/pids/munged"
    [ -s "$dir/slurmctld.pid" ] && cp "$dir/slurmctld.pid" "$dir/pids/slurmctld"
    [ -s "$dir/slurmd.pid" ] && cp "$dir/slurmd.pid" "$dir/pids/slurmd"
    if [ -s "$dir/pids/slurmctld" ] && [ -s "$dir/pids/slurmd" ] && sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
    sleep 0.2
  done
  echo "error: the Slurm node did not come up; logs in $dir" >&2
  tail -20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  exit 1
  ;;
stop)
  stop_pid slurmd
  stop_pid slurmctld
  stop_pid munged
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
