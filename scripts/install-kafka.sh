#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars from Maven Central once, into .streamlake/kafka/<version>/libs,
# to run a single-node KRaft broker with the local Java (no Docker, no download outside Maven).
# Usage: scripts/install-kafka.sh [version]   (default: the version streamlake tests against)
set -euo pipefail
cd "$(dirname "$0")/.."
# 3.8.1: MSK's recommended 3.8.x line (local/broker/kafka-broker.ts DEFAULT_KAFKA_VERSION)
version="${1:-${STREAMLAKE_KAFKA_VERSION:-3.8.1}}"
dest=".streamlake/kafka/$version"
if [ -f "$dest/libs/.complete" ]; then echo "kafka $version: already installed in $dest"; exit 0; fi
command -v java >/dev/null || { echo "streamlake: Java 17+ is needed to run the local Kafka broker: install a JDK (e.g. apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "streamlake: Maven is needed once to fetch the Kafka jars: install it (e.g. apt-get install maven), or set KAFKA_BOOTSTRAP to an existing broker" >&2; exit 1; }
mkdir -p "$dest"
cat > "$dest/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.streamlake</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
mvn -q -B -f "$dest/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs
touch "$dest/libs/.complete"
echo "kafka $version: $(ls "$dest/libs" | wc -l) jars in $dest/libs"
