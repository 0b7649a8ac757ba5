#!/usr/bin/env python3
"""Count bellows' parse-error diagnostics on a golang-migrate directory, in slices.

    python3 benches/parse_check.py BELLOWS DIR SCRATCH [--slice 500]

A statement parses the same whatever history comes before it, so the
directory is linted in slices of --slice migrations (hard links under
SCRATCH, which is removed afterwards) with --select parse-error: this stays
fast even where linting the whole history at once is slow. Prints the count
on the first line, then up to five examples; exits 0 either way. A slice on
which bellows exits with anything but 0 or 1 counts as one finding.
"""

import argparse
import json
import os
import shutil
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bellows")
    ap.add_argument("dir")
    ap.add_argument("scratch")
    ap.add_argument("--slice", type=int, default=500)
    args = ap.parse_args()

    ups = sorted(n for n in os.listdir(args.dir) if n.endswith(".up.sql"))
    found, examples = 0, []
    try:
        for i in range(0, len(ups), args.slice):
            part = os.path.join(args.scratch, f"{i:06d}")
            os.makedirs(part)
            for up in ups[i:i + args.slice]:
                for name in (up, up[:-len(".up.sql")] + ".down.sql"):
                    if os.path.exists(os.path.join(args.dir, name)):
                        os.link(os.path.join(args.dir, name), os.path.join(part, name))
            res = subprocess.run(
                [args.bellows, "check", "--format", "json", "--select", "parse-error", part],
                capture_output=True, text=True)
            if res.returncode not in (0, 1):
                found += 1
                examples.append(f"migrations {ups[i]}..: bellows exited {res.returncode}: "
                                f"{res.stderr.strip()[:200]}")
                continue
            for d in json.loads(res.stdout)["diagnostics"]:
                if d["rule"] == "parse-error":
                    found += 1
                    line = d["start"]["line"] if d.get("start") else "-"
                    examples.append(f'{os.path.basename(d["path"])}:{line}: {d["message"][:200]}')
            shutil.rmtree(part)
    finally:
        shutil.rmtree(args.scratch, ignore_errors=True)
    print(found)
    for e in examples[:5]:
        print(e)


if __name__ == "__main__":
    main()
