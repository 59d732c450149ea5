# Shared by bin/test, bin/run, bin/local-services, bin/fresh-machine-check and bench/run
# (sourced, not run):
# what this machine needs, installed with apt when missing (sudo where not root), and
# waits that poll until a server answers or a real time limit is up.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "$(basename "$0"): '$*' needs root, and sudo is not installed" >&2
    return 1
  fi
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port_closed() {
  ! port_open "$1"
}

with_systemd() {
  [ -d /run/systemd/system ]
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every half second; says what it waits
# for when it takes a while, and fails with a message when the time is up.
wait_until() {
  local seconds=$1 what=$2 waited=0
  shift 2
  until "$@"; do
    if [ "$waited" -ge $((seconds * 2)) ]; then
      echo "$(basename "$0"): $what did not happen within $seconds s" >&2
      return 1
    fi
    [ "$waited" -eq 10 ] && echo "$(basename "$0"): waiting for $what (up to $seconds s)..."
    sleep 0.5
    waited=$((waited + 1))
  done
}

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "$(basename "$0"): needs $*; there is no apt-get here, so install it and run again" >&2
    return 1
  fi
  echo "$(basename "$0"): installing $* (apt-get, as root)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A JDK 17 or newer: the build compiles, so a JRE is not enough.
require_jdk() {
  local version
  if ! command -v javac >/dev/null || ! command -v java >/dev/null; then
    echo "$(basename "$0"): needs a JDK 17 or newer on the PATH (Debian 12: sudo apt-get install openjdk-17-jdk-headless;" \
      "Debian 13: sudo apt-get install openjdk-21-jdk-headless)" >&2
    return 1
  fi
  version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
  if [ -z "$version" ] || [ "$version" -lt 17 ]; then
    echo "$(basename "$0"): needs Java 17 or newer; 'java' on the PATH is ${version:-unknown}" >&2
    return 1
  fi
}

postgresql_installed() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

rabbitmq_installed() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]
}

# The servers' packages (the tests run their own instances of them) and the tools the
# scripts use.
require_server_packages() {
  local missing=()
  postgresql_installed || missing+=(postgresql)
  rabbitmq_installed || missing+=(rabbitmq-server)
  command -v pgrep >/dev/null || missing+=(procps)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}
