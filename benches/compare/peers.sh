# Sourced by the compare runners: installs from Debian's packages whichever
# of the peer interpreters (and taskset, for pinning) is missing.
missing=()
command -v lua5.4 >/dev/null || missing+=(lua5.4)
command -v luajit >/dev/null || missing+=(luajit)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
