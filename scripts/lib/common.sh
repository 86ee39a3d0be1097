# Shared by scripts/run and scripts/test. Source it; it defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

is_root() { [ "$(id -u)" = "0" ]; }

debian_packages() {
  # debian_packages USE : the Debian packages requirements/debian.txt lists for USE.
  "$ROOT/scripts/lib/debian-packages" "$1"
}

APT_UPDATED=""
apt_install() {
  # apt_install PKG... : install Debian packages that are missing (as root only).
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    say "missing system packages: ${missing[*]} (install them with apt-get as root)"
    return 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pip_install() {
  # pip_install PYTHON ARGS... : pip install into PYTHON's environment, quietly, keeping
  # pip's exit status (its notes about this machine's extra package locations dropped).
  local python="$1" log status=0
  shift
  log="$(mktemp)"
  "$python" -m pip install -q --disable-pip-version-check "$@" >"$log" 2>&1 || status=$?
  grep -v -e "^WARNING: Location" -e "^$" "$log" >&2 || true
  rm -f "$log"
  return "$status"
}

ensure_venv() {
  # ensure_venv [runtime|test|bench] : create .venv when missing and make it hold exactly
  # requirements/SET.txt (default runtime): the locked versions, every file checked
  # against its hash, wheels only; then the project itself, editable, without resolving
  # anything (--no-deps) and built by the locked setuptools (--no-build-isolation).
  # Distributions no lock lists are removed. Nothing is done when the lock, pyproject.toml
  # and the Python are as at the last install (the stamp .venv/.locked-SET).
  local set="${1:-runtime}"
  local lock="$ROOT/requirements/$set.txt"
  local python="${PYTHON:-python3}"
  if [ ! -f "$lock" ]; then
    say "no lock file $lock (the sets are runtime, test and bench)"
    return 1
  fi
  if [ ! -x "$PY" ]; then
    say "creating virtual environment in .venv"
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.locked-$set" want
  want="$(cat "$lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) $("$PY" -V 2>&1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing requirements/$set.txt into .venv"
    "$python" "$ROOT/scripts/lib/locks.py" stale || say "(installing the lock as it is)"
    pip_install "$PY" --require-hashes --only-binary :all: -r "$lock"
    pip_install "$PY" --no-deps --no-build-isolation -e "$ROOT"
    local extraneous
    extraneous="$("$PY" "$ROOT/scripts/lib/locks.py" prune)"
    if [ -n "$extraneous" ]; then
      say "removing what no lock lists: $(echo $extraneous)"
      "$PY" -m pip uninstall -q -y $extraneous
    fi
    "$PY" -c "import kuulolla"
    echo "$want" >"$stamp"
  fi
}

use_latest_venv() {
  # use_latest_venv EXTRAS : switch VENV and PY to .venv-latest, made afresh with the
  # newest versions pyproject.toml's ranges allow instead of the lock (scripts/test
  # --latest): what an upgrade would bring, without touching .venv. Prints the
  # versions that differ from the lock.
  local extras="$1"
  VENV="$ROOT/.venv-latest"
  PY="$VENV/bin/python"
  rm -rf "$VENV"
  say "creating .venv-latest with the newest versions the ranges allow"
  "${PYTHON:-python3}" -m venv "$VENV"
  local build
  mapfile -t build < <("$PY" "$ROOT/scripts/lib/locks.py" build-requires)
  pip_install "$PY" --upgrade pip "${build[@]}"
  pip_install "$PY" --upgrade --upgrade-strategy eager --no-build-isolation -e "$ROOT[$extras]"
  say "newer than the lock (requirements/$extras.txt):"
  "$PY" "$ROOT/scripts/lib/locks.py" newer "$extras" >&2
  export KUULOLLA_TEST_LATEST=1
}
