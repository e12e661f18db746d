package graphsvc.neo4jtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A throwaway Neo4j Community DBMS for tests, reachable over Bolt on 127.0.0.1 only.
 *
 * <p>Usage: {@code Neo4jTestServer HOME_DIR [--port N] [--pagecache BYTES]}. Port 0 (the
 * default) picks a free one; the page cache defaults to 128 MiB, enough for test data. Once Bolt accepts connections it prints one line, {@code NEO4J_READY
 * bolt://127.0.0.1:PORT}, on standard output. It shuts down cleanly when standard input
 * reaches end of file, which happens when the parent process exits or dies, so a test
 * run cannot leave it behind; SIGTERM shuts it down cleanly too.
 *
 * <p>Authentication is off: the server listens on loopback only and holds test data, and
 * skipping the password setup saves seconds of Cypher warm-up on every start. Drivers may
 * still send credentials; they are accepted whatever they are.
 */
public final class Neo4jTestServer {

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private DatabaseManagementService dbms;
    private boolean stopped;

    public static void main(String[] args) throws InterruptedException {
        if (args.length % 2 != 1) {
            usage();
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = 0;
        long pageCache = 128L * 1024 * 1024;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--pagecache" -> pageCache = Long.parseLong(args[i + 1]);
                default -> usage();
            }
        }
        if (port == 0) {
            port = freeLoopbackPort();
        }
        new Neo4jTestServer().run(home, port, pageCache);
    }

    private static void usage() {
        System.err.println("usage: Neo4jTestServer HOME_DIR [--port N] [--pagecache BYTES]");
        System.exit(2);
    }

    private void run(Path home, int port, long pageCache) throws InterruptedException {
        watchStandardInput();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "neo4j-test-stop"));

        try {
            start(home, port, pageCache);
        } catch (RuntimeException err) {
            err.printStackTrace();
            System.out.println("NEO4J_FAILED " + err);
            System.out.flush();
            stop();
            System.exit(1);
        }
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();

        stopRequested.await();
        stop();
        System.out.println("NEO4J_STOPPED");
        System.out.flush();
        // Neo4j may leave non-daemon threads behind after shutdown; exit regardless.
        System.exit(0);
    }

    private void start(Path home, int port, long pageCache) {
        SocketAddress address = new SocketAddress("127.0.0.1", port);
        DatabaseManagementService started =
                new DatabaseManagementServiceBuilder(home)
                        .setConfig(BoltConnector.enabled, true)
                        .setConfig(BoltConnector.listen_address, address)
                        .setConfig(BoltConnector.advertised_address, address)
                        .setConfig(GraphDatabaseSettings.auth_enabled, false)
                        // Usage reports would be traffic off this machine, of no use.
                        .setConfig(GraphDatabaseSettings.udc_enabled, false)
                        .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                        // Preallocated transaction logs would cost 256 MiB per database
                        // in what is often a memory-backed temporary directory.
                        .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                        // Tests stop and restart the server; the default waits add
                        // seconds to each stop for connections a test has closed.
                        .setConfig(
                                BoltConnectorInternalSettings.connection_shutdown_wait_time,
                                Duration.ofSeconds(1))
                        .setConfig(
                                BoltConnectorInternalSettings.thread_pool_shutdown_wait_time,
                                Duration.ofSeconds(1))
                        .build();
        synchronized (this) {
            dbms = started;
        }
        String name = GraphDatabaseSettings.DEFAULT_DATABASE_NAME;
        if (!started.database(name).isAvailable(Duration.ofMinutes(1).toMillis())) {
            throw new IllegalStateException("database " + name + " did not become available");
        }
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (dbms != null) {
            dbms.shutdown();
        }
    }

    private void watchStandardInput() {
        Thread watcher =
                new Thread(
                        () -> {
                            byte[] buffer = new byte[256];
                            try {
                                InputStream in = System.in;
                                while (in.read(buffer) != -1) {
                                    // Input carries no commands; only its end matters.
                                }
                            } catch (IOException err) {
                                // A broken standard input means the parent is gone too.
                            }
                            stopRequested.countDown();
                        },
                        "stdin-eof-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException err) {
            throw new IllegalStateException("no free loopback port", err);
        }
    }
}
