#!/usr/bin/env bash
# What `make bench` needs beyond the app: wrk (load generator) and nginx (the documented
# production layout). tipg, the peer, is installed by bench/tiles_tipg.py in its own venv.
source "$(dirname "$0")/lib.sh"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
