#!/usr/bin/env bash
# Fetches Apache Iceberg's REST catalog server (org.apache.iceberg.rest.RESTCatalogServer, from
# org.apache.iceberg:iceberg-open-api:<version>:test-fixtures) and its runtime from Maven Central
# once, into .streamlake/iceberg-rest/<version>/libs, and compiles streamlake's loopback launcher
# (local/catalog/StreamlakeRestCatalogServer.java) against it. local/catalog/rest-catalog-server.ts
# runs it with the local Java 17+: a JdbcCatalog over a SQLite file, HadoopFileIO on local files.
# Usage: scripts/install-iceberg-rest.sh [version]   (default: the version streamlake tests against)
set -euo pipefail
cd "$(dirname "$0")/.."
# 1.11.0: the newest Iceberg release on Maven Central with iceberg-open-api's test-fixtures jar
# (local/catalog/rest-catalog-server.ts DEFAULT_ICEBERG_VERSION). The test-fixtures pom declares no
# dependencies, so the runtime is listed here; the Jetty and Hadoop versions are those Iceberg 1.11
# builds against (Jetty 12.1 ee10: RESTCatalogServer uses its CompressionHandler).
version="${1:-${STREAMLAKE_ICEBERG_VERSION:-1.11.0}}"
jetty=12.1.14
hadoop=3.4.3
dest=".streamlake/iceberg-rest/$version"
source_file="local/catalog/StreamlakeRestCatalogServer.java"
launcher_jar="$dest/launcher/streamlake-launcher.jar"
if [ -f "$dest/.complete" ] && [ "$launcher_jar" -nt "$source_file" ]; then echo "iceberg-rest $version: already installed in $dest"; exit 0; fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
javac_bin="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
jar_bin="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
command -v "$java_bin" >/dev/null || { echo "streamlake: Java 17+ is needed to run the local Iceberg REST catalog: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
command -v "$javac_bin" >/dev/null || { echo "streamlake: a JDK 17+ (javac) is needed once to build the local Iceberg REST catalog's launcher: install one (e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }

if [ ! -f "$dest/libs/.complete" ]; then
  command -v mvn >/dev/null || { echo "streamlake: Maven is needed once to fetch the Iceberg REST catalog jars: install it (e.g. apt-get install maven)" >&2; exit 1; }
  mkdir -p "$dest"
  rm -rf "$dest/libs"
  # Hadoop is there for two classes' sake: RESTCatalogServer hands the catalog a Hadoop
  # Configuration, and HadoopFileIO (JdbcCatalog's default FileIO) reads and writes the local files.
  # hadoop-common's own ~80 transitive jars (Jersey, ZooKeeper, Kerby, Netty, ...) are excluded;
  # the few classes its local file system needs are listed one by one (each without transitives).
  bare() { echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version><exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>"; }
  cat > "$dest/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.streamlake</groupId>
  <artifactId>iceberg-rest-catalog</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.iceberg</groupId><artifactId>iceberg-open-api</artifactId><version>$version</version><classifier>test-fixtures</classifier></dependency>
    <dependency><groupId>org.apache.iceberg</groupId><artifactId>iceberg-core</artifactId><version>$version</version></dependency>
    <!-- RESTCatalogAdapter and RESTCatalogServlet, which RESTCatalogServer serves with, ship in iceberg-core's test jar -->
    <dependency><groupId>org.apache.iceberg</groupId><artifactId>iceberg-core</artifactId><version>$version</version><classifier>tests</classifier></dependency>
    <dependency><groupId>org.eclipse.jetty.ee10</groupId><artifactId>jetty-ee10-servlet</artifactId><version>$jetty</version></dependency>
    <dependency><groupId>org.eclipse.jetty.compression</groupId><artifactId>jetty-compression-server</artifactId><version>$jetty</version></dependency>
    <dependency><groupId>org.eclipse.jetty.compression</groupId><artifactId>jetty-compression-gzip</artifactId><version>$jetty</version></dependency>
    <dependency><groupId>org.xerial</groupId><artifactId>sqlite-jdbc</artifactId><version>3.54.1.0</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
    $(bare org.apache.hadoop hadoop-common "$hadoop")
    $(bare org.apache.hadoop hadoop-auth "$hadoop")
    $(bare org.apache.hadoop.thirdparty hadoop-shaded-guava 1.5.0)
    $(bare com.fasterxml.woodstox woodstox-core 5.4.0)
    $(bare org.codehaus.woodstox stax2-api 4.2.1)
    $(bare org.apache.commons commons-collections4 4.4)
    $(bare org.apache.commons commons-configuration2 2.10.1)
  </dependencies>
</project>
POM
  # from inside $dest, so nothing Maven creates lands in the repository root
  (cd "$dest" && mvn -q -B -Dstyle.color=never -f pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs)
  touch "$dest/libs/.complete"
fi

rm -rf "$dest/launcher" "$dest/.complete"
mkdir -p "$dest/launcher/classes"
"$javac_bin" -nowarn --release 17 -d "$dest/launcher/classes" -cp "$dest/libs/*" "$source_file"
# HadoopFileIO on the raw local file system: no .crc side files next to the metadata (S3 has none)
cat > "$dest/launcher/classes/core-site.xml" <<'XML'
<?xml version="1.0"?>
<configuration>
  <property><name>fs.file.impl</name><value>org.apache.hadoop.fs.RawLocalFileSystem</value></property>
</configuration>
XML
# a jar, not a class folder: the class-data archive below accepts jars only on the class path
"$jar_bin" cf "$launcher_jar" -C "$dest/launcher/classes" .
rm -rf "$dest/launcher/classes"

# A class-data archive (AppCDS) of what a server loads, made by one training run of the launcher
# (it sends itself typical requests, then exits): later starts map those classes instead of loading
# them, ~2x faster. Valid for this Java only (local/catalog/rest-catalog-server.ts uses it when the
# Java is the same); without it the server starts all the same.
home="$(pwd)/$dest"
training="$(mktemp -d)"
if CATALOG_URI="jdbc:sqlite:$training/catalog.db" CATALOG_WAREHOUSE="file://$training/warehouse" CATALOG_REST_PORT=0 CATALOG_CLIENTS=1 \
  "$java_bin" -XX:ArchiveClassesAtExit="$home/launcher/classes.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dstreamlake.train=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$home/launcher/streamlake-launcher.jar:$home/libs/*" org.apache.iceberg.rest.StreamlakeRestCatalogServer > "$training/train.log" 2>&1 \
  && [ -s "$home/launcher/classes.jsa" ]; then
  "$java_bin" -version > "$home/launcher/classes.jsa.java" 2>&1
else
  echo "iceberg-rest $version: no class-data archive (the server starts without it, slower): $(tail -3 "$training/train.log" | tr '\n' ' ')" >&2
  rm -f "$home/launcher/classes.jsa" "$home/launcher/classes.jsa.java"
fi
rm -rf "$training"
touch "$dest/.complete"
echo "iceberg-rest $version: $(ls "$dest/libs" | wc -l) jars ($(du -sm "$dest/libs" | cut -f1) MB) in $dest/libs, launcher in $dest/launcher"
