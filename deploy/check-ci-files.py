"""Structure of the two CI definitions, which no server is here to lint: .gitlab-ci.yml and the
Jenkinsfile both run test -> build images -> deploy, with the same repository scripts, and
every script they name exists. (Syntax: yamllint and groovyc in deploy/check.sh.)
Run from the repository root: python3 deploy/check-ci-files.py  (needs python3-yaml)."""
import os
import re
import sys

import yaml

problems = []
RESERVED = {"stages", "variables", "default", "include", "workflow", "image", "services", "cache", "before_script", "after_script"}

with open(".gitlab-ci.yml", encoding="utf-8") as f:
    gitlab = yaml.safe_load(f)
stages = gitlab.get("stages", [])
if stages != ["test", "build-images", "deploy"]:
    problems.append(f".gitlab-ci.yml: stages are {stages}, expected test, build-images, deploy")
jobs = {name: job for name, job in gitlab.items() if name not in RESERVED and isinstance(job, dict)}


def resolved(name):
    """A job merged with the templates it extends (shallow, like GitLab for top-level keys)."""
    job = jobs[name]
    merged = {}
    for parent in ([job["extends"]] if isinstance(job.get("extends"), str) else job.get("extends", [])):
        if parent not in jobs:
            problems.append(f".gitlab-ci.yml: {name} extends unknown {parent}")
            continue
        merged.update(resolved(parent))
    merged.update(job)
    return merged


scripts_by_stage = {}
for name in jobs:
    if name.startswith("."):
        continue
    job = resolved(name)
    stage = job.get("stage", "test")
    if stage not in stages:
        problems.append(f".gitlab-ci.yml: job {name} is in unknown stage {stage}")
    lines = [line for key in ("before_script", "script") for line in job.get(key, [])]
    scripts_by_stage.setdefault(stage, []).extend(lines)
for stage in stages:
    if not scripts_by_stage.get(stage):
        problems.append(f".gitlab-ci.yml: no job runs in stage {stage}")
if ".ci/run" not in scripts_by_stage.get("test", []):
    problems.append(".gitlab-ci.yml: the test stage does not run .ci/run")

with open("Jenkinsfile", encoding="utf-8") as f:
    jenkins = f.read()
jenkins_stages = re.findall(r"^\s*stage\('([^']+)'\)", jenkins, re.M)
if jenkins_stages != ["Test", "Build images", "Deploy"]:
    problems.append(f"Jenkinsfile: stages are {jenkins_stages}, expected Test, Build images, Deploy")

gitlab_text = open(".gitlab-ci.yml", encoding="utf-8").read()
for script in (".ci/run", "deploy/docker/build-images.sh", "deploy/docker/deploy.sh"):
    for name, text in ((".gitlab-ci.yml", gitlab_text), ("Jenkinsfile", jenkins)):
        if script not in text:
            problems.append(f"{name} does not run {script}")
for name, text in ((".gitlab-ci.yml", gitlab_text), ("Jenkinsfile", jenkins)):
    for script in set(re.findall(r"(?:\.ci/run|deploy/[\w./-]+\.sh)", text)):
        if not os.path.isfile(script):
            problems.append(f"{name} names {script}, which does not exist")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
