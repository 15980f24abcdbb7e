#!/usr/bin/env bash
# renderer.sh ARG...: stardoc's markdown renderer (its prebuilt jar) run with the system's Java.
# stardoc's own java_binary needs Bazel's remote Java tools, which the offline setup lacks.
set -euo pipefail
jars=("${BASH_SOURCE[0]}.runfiles"/*/stardoc/renderer_prebuilt.jar)
[[ -f ${jars[0]} ]] || { echo "renderer.sh: no stardoc renderer_prebuilt.jar in the runfiles" >&2; exit 1; }
command -v java >/dev/null || { echo "renderer.sh: no java on PATH (install a JRE, e.g. default-jre-headless)" >&2; exit 1; }
exec java -cp "${jars[0]}" com.google.devtools.build.stardoc.renderer.RendererMain "$@"
