#!/usr/bin/env bash
# Every validation of the ops files that runs without a container engine, one line per check and
# a closing "deploy-check: N passed, N failed". Called by .ci/run; run it by hand the same way:
#   bash deploy/check.sh
# Needs Debian packages: prometheus (promtool), docker-compose, yamllint, shellcheck, systemd
# (systemd-analyze), strace, groovy (groovyc, with a Java runtime), curl, python3-yaml; and the npm
# registry (dockerfile-utils through npx, smoke-layout.sh's npm ci). Missing packages are installed when CI=true and running as root; otherwise the script
# names them and stops. The vitest suites in deploy/test run with `npm test`, not here.
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."

DOCKERFILE_UTILS=dockerfile-utils@0.16.3

declare -A package_of=([promtool]=prometheus [docker-compose]=docker-compose [yamllint]=yamllint
  [shellcheck]=shellcheck [systemd-analyze]=systemd [strace]=strace [groovyc]=groovy [curl]=curl)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
done
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if ((${#missing[@]})); then
  if [[ ${CI:-} == true && $(id -u) -eq 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "deploy-check: missing tools; install with: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
failures=()
# check NAME COMMAND...: runs one check quietly; its output is shown only when it fails
check() {
  local name=$1 start=$SECONDS
  shift
  if "$@" >"$tmp/out" 2>&1; then
    passed=$((passed + 1))
    printf 'ok    %-48s %3ss\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL  %-48s %3ss\n' "$name" $((SECONDS - start))
    sed 's/^/      /' "$tmp/out"
  fi
}

# --- shell and YAML -----------------------------------------------------------------------------
check "shellcheck -S warning deploy/**/*.sh" shellcheck -S warning deploy/**/*.sh

yaml_files=(deploy/**/*.yml .gitlab-ci.yml)
# relaxed, with room for PromQL and alert texts on one line
check "yamllint (${#yaml_files[@]} files)" \
  yamllint --strict -d '{extends: relaxed, rules: {line-length: {max: 220}}}' "${yaml_files[@]}"

# --- Prometheus ---------------------------------------------------------------------------------
# promtool checks that the files the scrape config names exist: give it stand-ins, in a copy laid
# out like /etc/prometheus
prometheus_check_config() {
  local dir=$tmp/prometheus
  mkdir -p "$dir/ncod"
  cp -r deploy/monitoring/prometheus/prometheus.yml deploy/monitoring/prometheus/rules "$dir/"
  : >"$dir/ncod/ca.crt"
  echo "stand-in-token" >"$dir/ncod/metrics-token"
  promtool check config "$dir/prometheus.yml"
}
check "promtool check config" prometheus_check_config
check "promtool check rules" promtool check rules deploy/monitoring/prometheus/rules/*.yml
check "promtool test rules" bash -c 'cd deploy/monitoring/prometheus && promtool test rules tests/*.test.yml'

# --- Compose ------------------------------------------------------------------------------------
compose_config() {
  local env=$tmp/compose.env
  # every mandatory setting of env.example, with stand-in values
  sed -E 's/^([A-Z_]+)=$/\1=stand-in/' deploy/docker/env.example >"$env"
  docker-compose --project-directory deploy/docker -f deploy/docker/docker-compose.yml --env-file "$env" config -q
  # bind mounts of repository files must point at files that exist (keys/ and secrets/ are
  # created at install time)
  local source missing_sources=0
  while read -r source; do
    [[ $source == */deploy/docker/keys* || $source == */deploy/docker/secrets* ]] && continue
    [[ -e $source ]] || { echo "bind mount source missing: $source"; missing_sources=1; }
  done < <(docker-compose --project-directory deploy/docker -f deploy/docker/docker-compose.yml --env-file "$env" config |
    sed -nE 's#^ *- (/[^:]+):.*#\1#p')
  return "$missing_sources"
}
check "docker-compose config (all profiles)" compose_config

# --- Dockerfile ---------------------------------------------------------------------------------
check "dockerfile-utils lint Dockerfile" npx --yes "$DOCKERFILE_UTILS" lint deploy/docker/Dockerfile
check "runtime layout of the master image runs" bash deploy/docker/smoke-layout.sh

# --- systemd ------------------------------------------------------------------------------------
# systemd-analyze only warns on unknown keys: any output is a failure. ExecStart names Debian's
# /usr/bin/node; where node lives elsewhere (CI images), verify a copy pointing at this one.
systemd_verify() {
  local unit=$tmp/ncod-master.service
  sed "s#^ExecStart=/usr/bin/node #ExecStart=$(command -v node) #" deploy/systemd/ncod-master.service >"$unit"
  local out
  out=$(systemd-analyze verify "$unit" 2>&1) || { echo "$out"; return 1; }
  [[ -z $out ]] || { echo "$out"; return 1; }
}
check "systemd-analyze verify ncod-master.service" systemd_verify
check "master runs within the unit's SystemCallFilter" bash deploy/systemd/check-syscalls.sh

# --- CI definitions -----------------------------------------------------------------------------
# Jenkins runs pipelines with Groovy 2.4, Debian's groovy package is 2.4: compiling the
# Jenkinsfile proves its syntax (the declarative directives need a Jenkins server to lint)
jenkinsfile_syntax() {
  local java_home=${JAVA_HOME:-}
  [[ -n $java_home ]] || java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  cp Jenkinsfile "$tmp/Jenkinsfile.groovy"
  JAVA_HOME=$java_home groovyc -d "$tmp/groovy-out" "$tmp/Jenkinsfile.groovy"
}
check "groovyc Jenkinsfile (syntax)" jenkinsfile_syntax
check "CI files: stages and scripts" python3 deploy/check-ci-files.py

# --- TypeScript: deploy tests and the dashboard against @grafana/schema -------------------------
check "tsc -p deploy/test (dashboard vs @grafana/schema)" npx tsc -p deploy/test

echo
echo "deploy-check: ${passed} passed, ${failed} failed"
if ((failed)); then
  printf '  failed: %s\n' "${failures[@]}"
  exit 1
fi
