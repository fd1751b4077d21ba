"""Runs the commands of examples/ci/*.yml as the CI system would, so the
examples cannot drift from what gauntlet accepts (ci_example_test.cpp).

    run_ci_example.py github|gitlab FILE.yml WORKDIR KEY=VALUE...

KEY=VALUE pairs override the file's env/variables (and add others). GitHub:
every `run:` step of the one job except the one with id `install`, in order,
each with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`), a
failed step skipping the later ones unless their `if:` says always();
`${{ steps.ID.outputs.KEY }}` is filled from $GITHUB_OUTPUT. GitLab: the
job's `script:` lines in one bash -eo pipefail shell (before_script installs
gauntlet and is left out). Prints a JSON summary on stdout.
"""
import json
import os
import re
import subprocess
import sys

import yaml


def run_bash(script, env, cwd):
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          env=env, cwd=cwd).returncode


def read_outputs(path):
    out = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def github(doc, workdir, overrides):
    (job,) = doc["jobs"].values()
    env = dict(os.environ)
    env.update({k: str(v) for k, v in doc.get("env", {}).items()})
    env.update(overrides)
    outputs = {}
    results = []
    failed = False
    for i, step in enumerate(job["steps"]):
        if "run" not in step or step.get("id") == "install":
            continue
        condition = str(step.get("if", ""))
        if failed and "always()" not in condition:
            results.append({"name": step["name"], "skipped": True})
            continue
        out_file = os.path.join(workdir, f"github_output_{i}")
        open(out_file, "w").close()
        step_env = dict(env)
        step_env["GITHUB_OUTPUT"] = out_file
        step_env["GITHUB_STEP_SUMMARY"] = os.path.join(workdir, "step_summary.md")

        def fill(value):
            return re.sub(r"\$\{\{\s*steps\.(\w+)\.outputs\.(\w+)\s*\}\}",
                          lambda m: outputs.get(m.group(1), {}).get(m.group(2), ""), str(value))

        step_env.update({k: fill(v) for k, v in step.get("env", {}).items()})
        code = run_bash(step["run"], step_env, workdir)
        if "id" in step:
            outputs[step["id"]] = read_outputs(out_file)
        results.append({"name": step["name"], "exit_code": code})
        failed = failed or code != 0
    return {"steps": results, "outputs": outputs, "failed": failed}


def gitlab(doc, workdir, overrides):
    jobs = [v for k, v in doc.items() if isinstance(v, dict) and "script" in v]
    (job,) = jobs
    env = dict(os.environ)
    env.update({k: str(v) for k, v in doc.get("variables", {}).items()})
    env.update(overrides)
    code = run_bash("\n".join(job["script"]), env, workdir)
    return {"exit_code": code, "failed": code != 0,
            "artifacts": job["artifacts"]["paths"], "junit": job["artifacts"]["reports"]["junit"]}


def main():
    kind, path, workdir = sys.argv[1:4]
    overrides = dict(kv.split("=", 1) for kv in sys.argv[4:])
    doc = yaml.safe_load(open(path))
    print(json.dumps((github if kind == "github" else gitlab)(doc, workdir, overrides)))


if __name__ == "__main__":
    main()
