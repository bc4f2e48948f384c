package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The frames of a stream written in one turn of the event loop go to the client as one write: one upstream
 * read holds several events, and a write per event costs a flush (a system call) each. The batch is
 * written when the turn ends (a task queued behind the current one) or when flushed, before the stream's
 * end or error. One per exchange, used on its event loop only.
 */
final class FrameBatch {

    private final Executor loop;
    private final Consumer<HttpData> out;
    private final Runnable flushTask = this::flush;
    /** Made when a turn first holds two frames: most streams never need it, and 10,000 of them would hold 40 MB. */
    private byte[] buffer;
    private int length;
    /** The turn's only frame so far, held as it is: the usual case when frames pass as the upstream's reads. */
    private HttpData single;
    private boolean scheduled;

    FrameBatch(Executor loop, Consumer<HttpData> out) {
        this.loop = loop;
        this.out = out;
    }

    void add(HttpData frame) {
        if (single == null && length == 0) {
            single = frame;
            schedule();
            return;
        }
        if (single != null) {
            HttpData first = single;
            single = null;
            append(first);
        }
        append(frame);
        schedule();
    }

    private void append(HttpData frame) {
        int n = frame.length();
        if (buffer == null) {
            buffer = new byte[Math.max(4096, n * 2)];
        }
        if (length + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
        }
        System.arraycopy(frame.array(), 0, buffer, length, n);
        length += n;
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            loop.execute(flushTask);
        }
    }

    /** Writes what is batched now. */
    void flush() {
        scheduled = false;
        HttpData frames = take();
        if (frames != null) {
            out.accept(frames);
        }
    }

    /**
     * Writes what is batched as the stream's last data: its end goes in the same write (for HTTP/1 the
     * closing chunk), not in one of its own. Returns whether there was anything to write, else the caller
     * ends the stream itself.
     */
    boolean finish() {
        HttpData frames = take();
        if (frames == null) {
            return false;
        }
        out.accept(frames.withEndOfStream());
        return true;
    }

    private HttpData take() {
        if (single != null) {
            HttpData frame = single;
            single = null;
            return frame;
        }
        if (length == 0) {
            return null;
        }
        byte[] frames = Arrays.copyOf(buffer, length);
        length = 0;
        return HttpData.wrap(frames);
    }

    /** Drops what is batched: nobody will read it. */
    void discard() {
        single = null;
        length = 0;
    }
}
