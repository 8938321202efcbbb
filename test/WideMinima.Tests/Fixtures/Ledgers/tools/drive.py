#!/usr/bin/env python3
"""Start a sweep command, poll its SQLite ledger, and send a signal once N runs are finished
(done/failed/diverged) and (optionally) one run is 'running'. Usage:
drive.py LEDGER N SIGNAL(INT|KILL) [--need-running] -- cmd..."""
import os, signal, sqlite3, subprocess, sys, time
ledger, n, sig = sys.argv[1], int(sys.argv[2]), sys.argv[3]
opts = sys.argv[4:sys.argv.index('--')]
need_running = '--need-running' in opts
need_ckpt = '--need-checkpoint' in opts
group = '--group' in opts
cmd = sys.argv[sys.argv.index('--') + 1:]
p = subprocess.Popen(cmd, start_new_session=group)
sent = False
while p.poll() is None:
    time.sleep(0.005)
    if sent or not os.path.exists(ledger):
        continue
    try:
        c = sqlite3.connect(ledger, timeout=5)
        fin = c.execute("select count(*) from runs where status in ('done','failed','diverged')").fetchone()[0]
        run = c.execute("select count(*) from runs where status = 'running'").fetchone()[0]
        if need_ckpt:
            run = c.execute("select count(*) from runs r join checkpoints k on k.run_id = r.run_id where r.status = 'running'").fetchone()[0]
        c.close()
    except sqlite3.Error:
        continue
    if fin >= n and (run > 0 or not need_running):
        (os.killpg if group else os.kill)(p.pid, signal.SIGKILL if sig == 'KILL' else signal.SIGINT)
        print(f"drive.py: sent SIG{sig} at finished={fin} running={run}", flush=True)
        sent = True
print("drive.py: exit", p.wait(), flush=True)
