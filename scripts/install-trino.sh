#!/usr/bin/env bash
# Fetches Trino (Athena engine v3's upstream) from Maven Central once, into
# .streamlake/trino/<version>/: the server core tarball (io.trino:trino-server-core, ~350 MB), the
# Hive connector plugin (io.trino:trino-hive, ~100 MB: the Glue tables as Athena reads them) and the
# Iceberg connector plugin (io.trino:trino-iceberg, ~100 MB: the lake's Iceberg tables through the
# REST catalog), the only plugins the local Athena needs.
# Usage: scripts/install-trino.sh [version]   (default: the version streamlake tests against)
# Idempotent: each piece has its own marker, so an install from before a plugin was added only
# fetches that plugin (.complete: the server core and the Hive plugin; .plugin-<name>: a later plugin).
# Trino 476 runs on Java 24+ (its launcher refuses older); local/trino/java.ts finds or installs one.
set -euo pipefail
cd "$(dirname "$0")/.."
# 476: the newest Trino on Maven Central (local/trino/server.ts DEFAULT_TRINO_VERSION)
version="${1:-${STREAMLAKE_TRINO_VERSION:-476}}"
dest=".streamlake/trino/$version"
# plugins fetched after the core install, each recorded by $dest/.plugin-<name>
extra_plugins=(iceberg)
missing=()
for p in "${extra_plugins[@]}"; do [ -f "$dest/.plugin-$p" ] || missing+=("$p"); done
if [ -f "$dest/.complete" ] && [ ${#missing[@]} -eq 0 ]; then echo "trino $version: already installed in $dest"; exit 0; fi
command -v mvn >/dev/null || { echo "streamlake: Maven is needed once to fetch the Trino jars: install it (e.g. apt-get install maven)" >&2; exit 1; }
mkdir -p "$dest"
# a project of its own, so Maven keeps its bookkeeping (target/) under $dest
cat > "$dest/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.streamlake</groupId>
  <artifactId>trino-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
</project>
POM

# fetch_plugin <name>: io.trino:trino-<name>:<version>:zip (trino-<name>-<version>/*.jar) into server/plugin/<name>
fetch_plugin() {
  local name="$1"
  rm -rf "$dest/plugin-unpack-$name" "$dest/server/plugin/$name"
  mvn -q -B -f "$dest/pom.xml" dependency:unpack \
    -Dartifact="io.trino:trino-$name:$version:zip" -DoutputDirectory="$PWD/$dest/plugin-unpack-$name" -Dmdep.overWriteReleases=true
  mkdir -p "$dest/server/plugin"
  mv "$dest/plugin-unpack-$name/trino-$name-$version" "$dest/server/plugin/$name"
  rm -rf "$dest/plugin-unpack-$name"
  test -n "$(ls "$dest/server/plugin/$name"/*.jar 2>/dev/null)" || { echo "streamlake: unexpected Trino $name plugin layout in $dest" >&2; exit 1; }
}

if [ ! -f "$dest/.complete" ]; then
  rm -rf "$dest/server" "$dest/server-unpack" "$dest/plugin-unpack" "$dest/target" "$dest"/.plugin-*
  missing=("${extra_plugins[@]}")
  echo "trino $version: fetching io.trino:trino-server-core:$version:tar.gz and io.trino:trino-hive:$version:zip from Maven Central (~450 MB, once)"
  mvn -q -B -f "$dest/pom.xml" dependency:unpack \
    -Dartifact="io.trino:trino-server-core:$version:tar.gz" -DoutputDirectory="$PWD/$dest/server-unpack" -Dmdep.overWriteReleases=true
  # the tarball holds trino-server-core-<version>/{bin,lib,plugin}
  mv "$dest/server-unpack/trino-server-core-$version" "$dest/server"
  rm -rf "$dest/server-unpack"
  test -d "$dest/server/lib" || { echo "streamlake: unexpected Trino archive layout in $dest" >&2; exit 1; }
  fetch_plugin hive
  touch "$dest/.complete"
fi
for p in "${missing[@]}"; do
  echo "trino $version: fetching io.trino:trino-$p:$version:zip from Maven Central (~100 MB, once)"
  fetch_plugin "$p"
  touch "$dest/.plugin-$p"
done
rm -rf "$dest/target"
echo "trino $version: server in $dest/server ($(ls "$dest/server/lib" | wc -l) jars; plugins:$(for p in hive "${extra_plugins[@]}"; do printf ' %s (%s jars)' "$p" "$(ls "$dest/server/plugin/$p" | wc -l)"; done))"
