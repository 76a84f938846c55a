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
    System.out.println(
        "streamlake: Iceberg REST catalog listening on http://"
            + host
            + ":"
            + connector.getLocalPort());
    http.join();
  }
}
