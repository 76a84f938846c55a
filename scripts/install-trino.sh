#!/usr/bin/env bash
# Fetches Trino (Athena engine v3's upstream) from Maven Central once, into
# .streamlake/trino/<version>/: the server core tarball (io.trino:trino-server-core, ~350 MB) and
# the Hive connector plugin (io.trino:trino-hive, ~100 MB), the only plugin the local Athena needs.
# Usage: scripts/install-trino.sh [version]   (default: the version streamlake tests against)
# Trino 476 runs on Java 24+ (its launcher refuses older); local/trino/java.ts finds or installs one.
set -euo pipefail
cd "$(dirname "$0")/.."
# 476: the newest Trino on Maven Central (local/trino/server.ts DEFAULT_TRINO_VERSION)
version="${1:-${STREAMLAKE_TRINO_VERSION:-476}}"
dest=".streamlake/trino/$version"
if [ -f "$dest/.complete" ]; then echo "trino $version: already installed in $dest"; exit 0; fi
command -v mvn >/dev/null || { echo "streamlake: Maven is needed once to fetch the Trino jars: install it (e.g. apt-get install maven)" >&2; exit 1; }
rm -rf "$dest/server" "$dest/server-unpack" "$dest/plugin-unpack" "$dest/target"
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
echo "trino $version: fetching io.trino:trino-server-core:$version:tar.gz and io.trino:trino-hive:$version:zip from Maven Central (~450 MB, once)"
mvn -q -B -f "$dest/pom.xml" dependency:unpack \
  -Dartifact="io.trino:trino-server-core:$version:tar.gz" -DoutputDirectory="$PWD/$dest/server-unpack" -Dmdep.overWriteReleases=true
mvn -q -B -f "$dest/pom.xml" dependency:unpack \
  -Dartifact="io.trino:trino-hive:$version:zip" -DoutputDirectory="$PWD/$dest/plugin-unpack" -Dmdep.overWriteReleases=true
# the tarball holds trino-server-core-<version>/{bin,lib,plugin}; the zip trino-hive-<version>/*.jar
mv "$dest/server-unpack/trino-server-core-$version" "$dest/server"
mkdir -p "$dest/server/plugin"
mv "$dest/plugin-unpack/trino-hive-$version" "$dest/server/plugin/hive"
rm -rf "$dest/server-unpack" "$dest/plugin-unpack" "$dest/target"
test -d "$dest/server/lib" && test -n "$(ls "$dest/server/plugin/hive"/*.jar 2>/dev/null)" || { echo "streamlake: unexpected Trino archive layout in $dest" >&2; exit 1; }
touch "$dest/.complete"
echo "trino $version: server in $dest/server ($(ls "$dest/server/lib" | wc -l) jars, hive plugin $(ls "$dest/server/plugin/hive" | wc -l) jars)"
