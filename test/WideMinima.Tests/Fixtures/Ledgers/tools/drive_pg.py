#!/usr/bin/env python3
"""Like drive.py for a PostgreSQL ledger: start a sweep command, poll (psql) the sweep's runs, and send SIGKILL once
N runs are finished and one running run has a checkpoint row. Usage: drive_pg.py PORT DB SWEEP N -- cmd..."""
import os, signal, subprocess, sys, time
port, db, sweep, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmd = sys.argv[sys.argv.index('--') + 1:]
no_ckpt = '--no-checkpoint' in sys.argv[5:sys.argv.index('--')]
q = f"""select (select count(*) from runs r join sweeps s using (sweep_id) where s.name = '{sweep}' and r.status in ('done','failed','diverged')),
 (select count(*) from runs r join sweeps s using (sweep_id) where s.name = '{sweep}' and r.status = 'running')""" if no_ckpt else f"""select (select count(*) from runs r join sweeps s using (sweep_id) where s.name = '{sweep}' and r.status in ('done','failed','diverged')),
 (select count(*) from runs r join sweeps s using (sweep_id) join checkpoints k on k.sweep_id = r.sweep_id and k.run_id = r.run_id
  where s.name = '{sweep}' and r.status = 'running')"""
p = subprocess.Popen(cmd, start_new_session=True)
sent = False
while p.poll() is None:
    if sent:
        time.sleep(0.05); continue
    r = subprocess.run(['/usr/lib/postgresql/15/bin/psql', '-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-d', db, '-At', '-F', ' ', '-c', q],
                       capture_output=True, text=True)
    if r.returncode != 0:
        continue
    fin, run = map(int, r.stdout.split())
    if fin >= n and run > 0:
        os.killpg(p.pid, signal.SIGKILL)
        print(f"drive_pg.py: sent SIGKILL at finished={fin} running-with-checkpoint={run}", flush=True)
        sent = True
print("drive_pg.py: exit", p.wait(), flush=True)
