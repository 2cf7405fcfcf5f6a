#!/usr/bin/env python3
"""Unlock benchmark: opening the doctor's store (`avis keys show`: scrypt on
the passphrase, then the keys and the database) against the reference age
CLI's own scrypt (`age -d` of the same `identity.age`, the passphrase typed
on a pty), in one run, as ratios: the machines here are shared and noisy.

Targets (issue 15): time <= 1.5 x age's, peak memory <= 300 MiB.

Usage: benches/unlock_vs_age.py [RUNS]   (default 5; needs `age`, Debian
package `age`, and a release build: `cargo build --release --bin avis`).
Each run times `age -d` then the unlock, back to back; the headline is the
median of the paired ratios. Peak memory is the child's maximum RSS.
"""

import os
import pty
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AVIS = os.path.join(ROOT, "target", "release", "avis")
PASSPHRASE = "banc d'essai seulement"


def measure(argv, env=None, feed=None):
    """Runs argv; returns (seconds, peak RSS in MiB, exit status). With
    `feed`, the child runs on a pty and gets `feed` typed at its prompt."""
    start = time.monotonic()
    if feed is None:
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        pid = child.pid
    else:
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(argv[0], argv, env or os.environ)
        out = b""
        while b"passphrase" not in out.lower():
            try:
                out += os.read(fd, 1024)
            except OSError:
                break
        os.write(fd, feed.encode() + b"\r")
        try:
            while os.read(fd, 1024):
                pass
        except OSError:
            pass
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.monotonic() - start
    return elapsed, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    age = shutil.which("age")
    if not age:
        sys.exit("manque : age (apt-get install age)")
    if not os.path.exists(AVIS):
        sys.exit("manque : target/release/avis (cargo build --release --bin avis)")
    work = tempfile.mkdtemp(prefix="avis-bench-unlock-")
    try:
        pass_file = os.path.join(work, "phrase")
        with open(pass_file, "w") as f:
            f.write(PASSPHRASE + "\n")
        env = dict(os.environ, AVIS_STORE=os.path.join(work, "magasin"),
                   AVIS_PASSPHRASE_FILE=pass_file)
        subprocess.run([AVIS, "init", "--name", "Dr Banc d'essai"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        identity = os.path.join(work, "magasin", "identity.age")
        with open(identity, "rb") as f:
            header = f.read(300).decode("latin-1")
        factor = [l for l in header.splitlines() if l.startswith("-> scrypt ")][0].split()[-1]
        ratios, avis_times, age_times, avis_mem, age_mem = [], [], [], [], []
        for _ in range(runs):
            a_t, a_m, a_rc = measure([age, "-d", "-o", os.devnull, identity],
                                     feed=PASSPHRASE)
            v_t, v_m, v_rc = measure([AVIS, "keys", "show", "--json"], env=env)
            if a_rc != 0 or v_rc != 0:
                sys.exit(f"échec : age {a_rc}, avis {v_rc}")
            ratios.append(v_t / a_t)
            avis_times.append(v_t)
            age_times.append(a_t)
            avis_mem.append(v_m)
            age_mem.append(a_m)
        print(f"scrypt work factor of the store: 2^{factor}")
        print(f"age -d (reference): median {statistics.median(age_times):.3f} s, "
              f"peak {max(age_mem):.0f} MiB")
        print(f"avis unlock:        median {statistics.median(avis_times):.3f} s, "
              f"peak {max(avis_mem):.0f} MiB")
        ratio = statistics.median(ratios)
        print(f"time ratio (median of paired runs): {ratio:.2f} (target <= 1.5)")
        print(f"peak memory: {max(avis_mem):.0f} MiB (target <= 300)")
        ok = ratio <= 1.5 and max(avis_mem) <= 300
        print("OK" if ok else "HORS CIBLE")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
