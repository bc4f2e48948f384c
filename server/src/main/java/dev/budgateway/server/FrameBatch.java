package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The frames of a stream written in one turn of the event loop go to the client as one write: one upstream
 * read holds several events, and a write per event costs a flush (a system call) each. The batch is
 * written when the turn ends (a task queued behind the current one) or when flushed, before the stream's
 * end or error. One per exchange, used on its event loop only.
 *
 * <p>Frames are gathered in a pooled direct buffer, which goes to the connection as it is: a socket writes
 * only direct memory, so the copy into it is the one a heap frame would cost anyway, and nothing is left
 * for the garbage collector.
 */
final class FrameBatch {

    private final Executor loop;
    private final Consumer<HttpData> out;
    private final Runnable flushTask = this::flush;
    private final ByteBufAllocator alloc;
    /** Taken from the pool when a turn first holds two frames, and handed over with them. */
    private ByteBuf buffer;
    /** The turn's only frame so far, held as it is: the usual case when frames pass as the upstream's reads. */
    private HttpData single;
    private boolean scheduled;

    FrameBatch(Executor loop, ByteBufAllocator alloc, Consumer<HttpData> out) {
        this.loop = loop;
        this.alloc = alloc;
        this.out = out;
    }

    void add(HttpData frame) {
        if (single == null && buffer == null) {
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
            buffer = alloc.directBuffer(Math.max(4096, n * 2));
        }
        // byteBuf() shares the frame's bytes, where array() would copy a frame that is a part of a read.
        ByteBuf bytes = frame.byteBuf();
        buffer.writeBytes(bytes, bytes.readerIndex(), n);
        frame.close();
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
        ByteBuf frames = buffer;
        buffer = null;
        return frames == null ? null : HttpData.wrap(frames); // the pooled buffer goes with them
    }

    /** Drops what is batched: nobody will read it. */
    void discard() {
        single = null;
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
