"""Runs the `run:` steps of a GitHub Actions workflow as scripts on a local checkout, job by job,
as a pull request to `main` would run them; used by 82-init-scaffold.sh.

usage: workflow-steps.py WORKFLOW PROJECT WORKDIR

Each job gets its own copy of PROJECT (a git repository) under WORKDIR/JOB, as each job gets its
own runner. The `uses:` steps have local stand-ins: checkout is the copy, setup-python a fresh
virtual environment put first on the PATH, and the upload steps check that what they would
upload exists. A step that calls GitHub's API (`gh`) is skipped and named. Every step that runs
must succeed, `continue-on-error` or not: the project is clean. Anything this runner does not
know (another action, an expression, an `if:` on a run step) stops it, so a change to the
workflow cannot slip past it untested.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import venv

import yaml

# The context of a pull request from `change` into `main`.
EXPRESSIONS = {
    "github.base_ref": "main",
    "github.event_name": "pull_request",
    "github.token": "",
    "github.event.pull_request.number": "1",
}
JOB_CONDITIONS = {"github.event_name == 'pull_request'"}
STEP_CONDITIONS = {"always() && hashFiles('stagebook.sarif') != ''"}


def fail(message):
    sys.exit(f"workflow-steps: {message}")


def expand(text, env):
    def value(match):
        expression = match.group(1).strip()
        if expression.startswith("env."):
            return env[expression[4:]]
        if expression not in EXPRESSIONS:
            fail(f"no value for the expression `{expression}`")
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))


def condition(spec, known, where):
    text = spec.get("if")
    if text is None:
        return
    text = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", str(text).strip()).strip()
    if text not in known:
        fail(f"{where}: no stand-in for the condition `{text}`")


def stand_in(step, cwd, env, where):
    action = step["uses"].split("@")[0]
    given = step.get("with", {})
    if action == "actions/checkout":
        return "the job's copy of the project"
    if action == "actions/setup-python":
        python = os.path.join(os.path.dirname(cwd), os.path.basename(cwd) + "-python")
        venv.create(python, with_pip=True)
        env["PATH"] = os.path.join(python, "bin") + os.pathsep + env["PATH"]
        return f"a fresh virtual environment for python {given.get('python-version')}"
    if action == "github/codeql-action/upload-sarif":
        condition(step, STEP_CONDITIONS, where)
        path = os.path.join(cwd, given["sarif_file"])
        with open(path, encoding="utf-8") as handle:
            sarif = json.load(handle)
        if sarif.get("version") != "2.1.0" or not sarif.get("runs"):
            fail(f"{where}: {given['sarif_file']} is not a SARIF 2.1.0 log with runs")
        return f"{given['sarif_file']} is SARIF 2.1.0"
    if action == "actions/upload-artifact":
        path = os.path.join(cwd, given["path"])
        if not os.path.isdir(path) or not os.listdir(path):
            fail(f"{where}: nothing to upload at {given['path']}")
        return f"{given['path']}/ holds {len(os.listdir(path))} entries"
    fail(f"{where}: no stand-in for the action `{action}`")


def main():
    workflow_path, project, workdir = sys.argv[1:]
    with open(workflow_path, encoding="utf-8") as handle:
        workflow = yaml.safe_load(handle)
    ran = 0
    for job_id, job in workflow["jobs"].items():
        condition(job, JOB_CONDITIONS, job_id)
        cwd = os.path.join(workdir, job_id)
        shutil.copytree(project, cwd, symlinks=True)
        env = dict(os.environ)
        env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "team/playbooks"})
        for scope in (workflow, job):
            env.update({k: expand(v, env) for k, v in scope.get("env", {}).items()})
        for number, step in enumerate(job["steps"], 1):
            where = f"{job_id}: step {number} ({step.get('name', step.get('uses', 'run'))})"
            if "uses" in step:
                print(f"{where}: stand-in: {stand_in(step, cwd, env, where)}")
                continue
            script = step["run"]
            if re.search(r"(^|[\s;|&(])gh\s", script):
                print(f"{where}: skipped: calls GitHub's API")
                continue
            condition(step, set(), where)
            step_env = dict(env)
            step_env.update({k: expand(v, env) for k, v in step.get("env", {}).items()})
            shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
            done = subprocess.run(shell, cwd=cwd, env=step_env, check=False)
            if done.returncode != 0:
                fail(f"{where}: exit {done.returncode}:\n{script}")
            print(f"{where}: ok")
            ran += 1
    print(f"workflow-steps: {ran} run steps succeeded")


main()
