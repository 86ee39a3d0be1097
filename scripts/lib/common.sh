# Shared by scripts/run and scripts/test. Source it; it defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

is_root() { [ "$(id -u)" = "0" ]; }

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

ensure_venv() {
  # ensure_venv EXTRAS : create .venv and install the project (editable) when the
  # requirements changed since the last install.
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  if [ ! -x "$PY" ]; then
    say "creating virtual environment in .venv"
    "$python" -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  fi
  local stamp="$VENV/.installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    say "installing kuulolla${extras:+[$extras]} into .venv"
    "$PY" -m pip install -q -e "$ROOT${extras:+[$extras]}" 2>&1 | grep -v -e "^WARNING: Location" -e "^$" >&2 || true
    "$PY" -c "import kuulolla" && touch "$stamp"
  fi
}
