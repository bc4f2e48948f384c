package dev.budgateway.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a real server that can cut a connection at the worst moment for a writer: after the
 * server has taken an {@code INSERT} and before its answer reaches the client. The rows are in; the writer sees a
 * failure and sends them again.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    /** How many more inserts to cut. */
    final AtomicInteger toCut = new AtomicInteger();
    final AtomicInteger cut = new AtomicInteger();

    CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                java.util.concurrent.atomic.AtomicBoolean insert = new java.util.concurrent.atomic.AtomicBoolean();
                pump(client, server, insert, true);
                pump(server, client, insert, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicBoolean insert, boolean request) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (request) {
                        if (new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains("INSERT")) {
                            insert.set(true);
                        }
                    } else if (insert.get() && toCut.getAndUpdate(c -> Math.max(0, c - 1)) > 0) {
                        // The server answered the insert: it is done. The client never hears so.
                        cut.incrementAndGet();
                        from.close();
                        to.close();
                        return;
                    } else {
                        insert.set(false);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: so does the other
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
