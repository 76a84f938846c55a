/*
 * Apache Iceberg's REST catalog server (org.apache.iceberg.rest.RESTCatalogServer, from the
 * iceberg-open-api test fixtures) as streamlake's local catalog, with two differences only:
 *
 * 1. it listens on loopback (RESTCatalogServer binds every interface, and a catalog that writes
 *    files must not be reachable from the network);
 * 2. with -Dstreamlake.exitWhenStdinCloses=true it exits when its standard input reaches EOF: the
 *    parent process holds the other end of that pipe, so however the parent ends (a crashed or
 *    killed test included) no catalog JVM outlives it.
 *
 * With -Dstreamlake.train=true it sends itself a few typical requests and exits: the install script
 * runs it so once under -XX:ArchiveClassesAtExit, and the class-data archive it leaves halves the
 * start time of every later server.
 *
 * Everything else is RESTCatalogServer's own: the backend catalog is built by its
 * initializeBackendCatalog (the CATALOG_* environment variables become catalog properties:
 * CATALOG_URI -> uri, CATALOG_WAREHOUSE -> warehouse, CATALOG_IO__IMPL -> io-impl, ...; a JdbcCatalog
 * by default) and requests are served by the same RESTServerCatalogAdapter and RESTCatalogServlet
 * its start() wires. The class lives in RESTCatalogServer's package to reach those package-private
 * types; the private initializeBackendCatalog is called by reflection. Compiled once by
 * scripts/install-iceberg-rest.sh against the pinned Iceberg version.
 */
package org.apache.iceberg.rest;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.iceberg.util.PropertyUtil;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class StreamlakeRestCatalogServer {
  private StreamlakeRestCatalogServer() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("streamlake.host", "127.0.0.1");
    if (Boolean.getBoolean("streamlake.exitWhenStdinCloses")) {
      Thread watchdog =
          new Thread(
              () -> {
                try {
                  byte[] buffer = new byte[256];
                  while (System.in.read(buffer) >= 0) {
                    // nothing is ever written; EOF means the parent is gone
                  }
                } catch (IOException e) {
                  // a broken pipe is the same news
                }
                System.exit(0);
              },
              "streamlake-parent-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    }

    Method initialize = RESTCatalogServer.class.getDeclaredMethod("initializeBackendCatalog");
    initialize.setAccessible(true);
    RESTCatalogServer.CatalogContext context =
        (RESTCatalogServer.CatalogContext) initialize.invoke(new RESTCatalogServer());

    ServletContextHandler servletContext =
        new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    servletContext.addServlet(
        new ServletHolder(new RESTCatalogServlet(new RESTServerCatalogAdapter(context))), "/*");

    Server http = new Server();
    ServerConnector connector = new ServerConnector(http);
    connector.setHost(host);
    connector.setPort(
        PropertyUtil.propertyAsInt(context.configuration(), RESTCatalogServer.REST_PORT, 0));
    http.addConnector(connector);
    http.setHandler(servletContext);
    http.setStopAtShutdown(true);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (context.catalog() instanceof Closeable) {
                    try {
                      ((Closeable) context.catalog()).close();
                    } catch (IOException e) {
                      // exiting anyway
                    }
                  }
                },
                "streamlake-catalog-close"));
    http.start();
    String url = "http://" + host + ":" + connector.getLocalPort();
    System.out.println("streamlake: Iceberg REST catalog listening on " + url);
    if (Boolean.getBoolean("streamlake.train")) {
      train(url);
      System.exit(0);
    }
    http.join();
  }

  /** What a processor does: config, namespace, table, load, commits (one stale), a miss, a purge. */
  private static void train(String url) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String table = url + "/v1/namespaces/train/tables/t";
    String[][] requests = {
      {"GET", url + "/v1/config", null},
      {"POST", url + "/v1/namespaces", "{\"namespace\":[\"train\"],\"properties\":{}}"},
      {
        "POST",
        url + "/v1/namespaces/train/tables",
        "{\"name\":\"t\",\"schema\":{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
            + "{\"id\":1,\"name\":\"id\",\"type\":\"string\",\"required\":true},"
            + "{\"id\":2,\"name\":\"ts\",\"type\":\"timestamptz\",\"required\":true},"
            + "{\"id\":3,\"name\":\"n\",\"type\":\"long\",\"required\":false},"
            + "{\"id\":4,\"name\":\"d\",\"type\":\"decimal(12, 2)\",\"required\":false}]},"
            + "\"partition-spec\":{\"spec-id\":0,\"fields\":["
            + "{\"source-id\":1,\"field-id\":1000,\"name\":\"id\",\"transform\":\"identity\"},"
            + "{\"source-id\":2,\"field-id\":1001,\"name\":\"ts_day\",\"transform\":\"day\"}]},"
            + "\"properties\":{\"format-version\":\"2\"}}"
      },
      {"GET", table, null},
      {
        "POST",
        table,
        "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":null}],"
            + "\"updates\":[{\"action\":\"add-snapshot\",\"snapshot\":{\"snapshot-id\":1,\"sequence-number\":1,"
            + "\"timestamp-ms\":1,\"manifest-list\":\"file:/nonexistent.avro\",\"summary\":{\"operation\":\"append\"}}},"
            + "{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\",\"snapshot-id\":1},"
            + "{\"action\":\"set-properties\",\"updates\":{\"k\":\"v\"}}]}"
      },
      {
        "POST",
        table,
        "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":2}],"
            + "\"updates\":[{\"action\":\"set-properties\",\"updates\":{\"k\":\"w\"}}]}"
      },
      {"GET", url + "/v1/namespaces/train/tables/missing", null},
      {"HEAD", table, null},
      {"DELETE", table, null},
    };
    for (String[] r : requests) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(r[1]));
      request.header("content-type", "application/json");
      request.method(
          r[0],
          r[2] == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(r[2]));
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      System.out.println("streamlake: train " + r[0] + " " + r[1] + " -> " + response.statusCode());
    }
  }
}
