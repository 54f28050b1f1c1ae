#!/usr/bin/env bash
# Builds the master and slave images from the repository root and, with --push, pushes them.
# The one place CI (.gitlab-ci.yml, Jenkinsfile) builds images, so both build the same way.
#   build-images.sh PREFIX VERSION [--push] [--also-tag TAG]
#   e.g. build-images.sh registry.example.com/ncod 1a2b3c4d --push --also-tag latest
# Needs a Docker engine with BuildKit (Docker 23+), which reads Dockerfile.dockerignore.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ $# -lt 2 ]]; then
  echo "usage: build-images.sh PREFIX VERSION [--push] [--also-tag TAG]" >&2
  exit 2
fi
prefix=$1
version=$2
shift 2
push=""
extra_tag=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --push) push=1; shift ;;
    --also-tag) extra_tag=${2:?--also-tag needs a tag}; shift 2 ;;
    *) echo "build-images: unknown argument $1" >&2; exit 2 ;;
  esac
done
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)

for target in master slave; do
  tags=(-t "$prefix/$target:$version")
  [[ -n $extra_tag ]] && tags+=(-t "$prefix/$target:$extra_tag")
  DOCKER_BUILDKIT=1 docker build -f deploy/docker/Dockerfile --target "$target" \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" "${tags[@]}" .
  if [[ -n $push ]]; then
    docker push "$prefix/$target:$version"
    [[ -z $extra_tag ]] || docker push "$prefix/$target:$extra_tag"
  fi
done
