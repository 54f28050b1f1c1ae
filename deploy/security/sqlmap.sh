#!/usr/bin/env bash
# sqlmap against a running ncod master's sign-in and registration (device search joins later).
# Starts nothing itself. Exits 0 when nothing is injectable and the scan provably reached the
# application; non-zero otherwise.
#
#   deploy/security/sqlmap.sh MASTER_URL BEARER_TOKEN
#
# MASTER_URL     e.g. https://127.0.0.1:8443 (https: sqlmap does not verify the certificate)
# BEARER_TOKEN   an access token of an approved user; checked first with GET /api/v1/me
#
# Optional environment:
#   NCOD_SQLMAP_USERNAME / NCOD_SQLMAP_PASSWORD  that user's credentials: the login scan then starts
#                 from a successful sign-in (200), so a true condition is visible (--code=200)
#   NCOD_SQLMAP_ORG_UNIT  a project department id for registration (default: the first one in the
#                 public tree)
#   NCOD_SQLMAP_CA        CA certificate for the preflight checks with curl (default: the system store)
#   NCOD_SQLMAP_OUT       output directory (default: a new temporary directory, kept for reading)
#   NCOD_SQLMAP_LEVEL / NCOD_SQLMAP_RISK   default 2 / 2 (see deploy/security/README.md for the time)
#   NCOD_SQLMAP_THREADS   concurrent requests (default 2)
#
# The master must not throttle the scan: run it with NCOD_LOGIN_MAX_FAILURES=100,
# NCOD_LOGIN_IP_MAX_FAILURES=10000 and NCOD_REGISTRATIONS_PER_HOUR=10000. A scan that meets a
# 429 (or a 401/403 where none belongs) proves nothing, and this script fails it.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 MASTER_URL BEARER_TOKEN" >&2
  exit 2
fi
url="${1%/}"
token="$2"
level="${NCOD_SQLMAP_LEVEL:-2}"
risk="${NCOD_SQLMAP_RISK:-2}"
out="${NCOD_SQLMAP_OUT:-$(mktemp -d -t ncod-sqlmap-XXXXXX)}"
mkdir -p "$out"

for tool in sqlmap curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool is not installed (apt-get install -y sqlmap curl python3)" >&2
    exit 2
  fi
done

curl_args=(--silent --show-error --max-time 20)
if [[ -n "${NCOD_SQLMAP_CA:-}" ]]; then
  curl_args+=(--cacert "$NCOD_SQLMAP_CA")
fi

# status_of METHOD PATH [BODY]: the HTTP status the master answers, with the scan's headers
status_of() {
  local method="$1" path="$2" body="${3:-}"
  local args=("${curl_args[@]}" --output /dev/null --write-out '%{http_code}' -X "$method"
    -H "Authorization: Bearer $token" -H "Content-Type: application/json")
  if [[ -n "$body" ]]; then
    args+=(--data-binary "$body")
  fi
  curl "${args[@]}" "$url$path"
}

json_string() {
  python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"
}

# 1. The token must work, or every scanned request would be a 401 and the scan would find nothing.
me_status="$(status_of GET /api/v1/me)"
if [[ "$me_status" != "200" ]]; then
  echo "FAIL: GET /api/v1/me with the given token answers $me_status, not 200: fix the token first" >&2
  exit 1
fi

failures=0

# scan NAME PATH BODY EXPECTED_STATUS FORBIDDEN_CODES [extra sqlmap args...]
scan() {
  local name="$1" path="$2" body="$3" expected="$4" forbidden="$5"
  shift 5
  local dir="$out/$name"
  rm -rf "$dir"
  mkdir -p "$dir"

  local baseline
  baseline="$(status_of POST "$path" "$body")"
  if [[ "$baseline" != "$expected" ]]; then
    echo "FAIL [$name]: the unmodified request answers $baseline, expected $expected: the scan would prove nothing" >&2
    failures=$((failures + 1))
    return
  fi

  echo "== sqlmap $name: POST $path (level $level, risk $risk)"
  local started=$SECONDS
  sqlmap -u "$url$path" --method=POST --data="$body" \
    --headers=$'Authorization: Bearer '"$token"$'\nContent-Type: application/json' \
    --batch --dbms=PostgreSQL --level="$level" --risk="$risk" --skip-waf --flush-session \
    --disable-coloring --output-dir="$dir" --results-file="$dir/results-$name.csv" \
    -t "$dir/traffic.txt" --timeout=20 --retries=1 --threads="${NCOD_SQLMAP_THREADS:-2}" "$@" >"$dir/stdout.txt" 2>&1 || true
  echo "   $((SECONDS - started)) s, $(grep -c '^HTTP request \[' "$dir/traffic.txt" 2>/dev/null || echo 0) requests"

  # real answers from the application, not TLS or connection errors
  local answered
  answered="$(grep -c '"code":"\|"accessToken":"\|"id":"' "$dir/traffic.txt" 2>/dev/null || true)"
  if [[ "${answered:-0}" -lt 20 ]]; then
    echo "FAIL [$name]: the traffic log shows only ${answered:-0} application answers: sqlmap did not reach the master" >&2
    sed -n '1,40p' "$dir/stdout.txt" >&2
    failures=$((failures + 1))
    return
  fi
  local code
  for code in $forbidden; do
    if grep -Eq "HTTP error codes detected during run:.*\\b$code\\b" "$dir/stdout.txt"; then
      echo "FAIL [$name]: sqlmap met HTTP $code during the run (throttled or unauthorized): the scan proves nothing" >&2
      grep -E "HTTP error codes detected" "$dir/stdout.txt" >&2
      failures=$((failures + 1))
      return
    fi
  done
  if grep -Eq "critical\\].*(connection|unable to connect|timed out)" "$dir/stdout.txt"; then
    echo "FAIL [$name]: sqlmap reported connection problems" >&2
    grep -E "critical\\]" "$dir/stdout.txt" >&2
    failures=$((failures + 1))
    return
  fi

  # judge: results CSV (written in multiple-target mode; header only = clean), sqlmap's own
  # per-host log of injection points, and its summary line
  local injectable=0 csv
  for csv in "$dir"/results-*.csv; do
    [[ -f "$csv" ]] || continue
    if [[ "$(grep -cv '^Target URL,' "$csv" || true)" -gt 0 ]]; then
      injectable=1
    fi
  done
  if find "$dir" -name log -size +0 | grep -q .; then
    injectable=1
  fi
  if grep -Eq "identified the following injection point|is vulnerable" "$dir/stdout.txt"; then
    injectable=1
  fi
  if [[ "$injectable" -ne 0 ]]; then
    echo "FAIL [$name]: sqlmap found an injection point:" >&2
    grep -E -A12 "identified the following injection point" "$dir/stdout.txt" >&2 || true
    failures=$((failures + 1))
    return
  fi
  echo "   clean: $(grep -E 'all tested parameters do not appear to be injectable|do not appear to be injectable' "$dir/stdout.txt" | head -1 || true)"
}

# 2. Sign-in. With real credentials the baseline is a 200 and sqlmap tells true from false by the
# status code; otherwise it works from the 401 answers.
if [[ -n "${NCOD_SQLMAP_USERNAME:-}" && -n "${NCOD_SQLMAP_PASSWORD:-}" ]]; then
  login_body="{\"username\":$(json_string "$NCOD_SQLMAP_USERNAME"),\"password\":$(json_string "$NCOD_SQLMAP_PASSWORD"),\"audience\":\"portal\"}"
  scan login /api/v1/auth/login "$login_body" 200 "403 429" --code=200 --ignore-code=401
else
  login_body='{"username":"sqlmap-probe","password":"not the password at all","audience":"portal"}'
  scan login /api/v1/auth/login "$login_body" 401 "403 429" --ignore-code=401
fi

# 3. Registration. Every request gets a fresh username (--eval), so each one is a new valid
# registration (201) and the injected field is what differs.
org_unit="${NCOD_SQLMAP_ORG_UNIT:-}"
if [[ -z "$org_unit" ]]; then
  org_unit="$(curl "${curl_args[@]}" "$url/api/v1/org-units" |
    python3 -c 'import json, sys; print(next(u["id"] for u in json.load(sys.stdin) if u["kind"] == "project_department"))')"
fi
register_body="{\"username\":\"sqlmapuser0\",\"displayName\":\"Scan Target\",\"email\":\"scan@example.com\",\"phone\":\"+86 138 0013 8000\",\"password\":\"a long enough passphrase\",\"orgUnitId\":\"$org_unit\"}"
register_eval='import random; username = "sqlmap%d" % random.randint(10**8, 10**9)'
# (username itself is scanned on the sign-in; here it only has to be new each time)
scan register /api/v1/auth/register "${register_body/sqlmapuser0/sqlmapbase$RANDOM$RANDOM}" 201 "401 403 429" \
  --skip=username --eval="$register_eval" --code=201

echo "sqlmap output kept in $out"
if [[ "$failures" -ne 0 ]]; then
  echo "sqlmap: $failures target(s) failed" >&2
  exit 1
fi
echo "sqlmap: no injectable parameter in login and registration"
