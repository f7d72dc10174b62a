# Shared by the scripts: paths, package installation, building.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${CE_BUILD_DIR:-$ROOT/build}"
VAR="$ROOT/var"

# Debian 12 packages the engine, its tests and its tools need.
PACKAGES=(
  build-essential cmake pkg-config
  libcaf-dev libboost-all-dev nlohmann-json3-dev libpq-dev libhiredis-dev libspdlog-dev catch2 libssl-dev
  pocketsphinx pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev
  espeak-ng libespeak-ng-dev libsoxr-dev sox
  postgresql-15 postgresql-client-15 redis-server redis-tools
  prometheus curl python3
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  log "building in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="${CE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" "$@"
}
