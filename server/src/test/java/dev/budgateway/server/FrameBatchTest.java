package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBatchTest {

    private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
    private final List<HttpData> written = new ArrayList<>();
    private final List<ByteBuf> taken = new ArrayList<>();
    private final PooledByteBufAllocator pool = new PooledByteBufAllocator(true) {
        @Override
        public ByteBuf directBuffer(int initialCapacity) {
            ByteBuf b = super.directBuffer(initialCapacity);
            taken.add(b);
            return b;
        }
    };
    private final FrameBatch batch = new FrameBatch(turns::add, pool, written::add);

    private static HttpData text(String s) {
        return HttpData.ofUtf8(s);
    }

    private void endTurn() {
        while (!turns.isEmpty()) {
            turns.poll().run();
        }
    }

    @Test
    void aTurnsOnlyFrameGoesOutAsItIs() {
        HttpData frame = text("data: {}\n\n");
        batch.add(frame);
        assertTrue(written.isEmpty(), "written at the end of the turn, not before");
        endTurn();
        assertEquals(1, written.size());
        assertSame(frame, written.get(0));
        assertTrue(taken.isEmpty(), "no buffer for a single frame");
    }

    @Test
    void framesOfOneTurnGoOutInOnePooledDirectWrite() {
        byte[] read = "data: {\"a\":1}\n\ndata: {\"b\"".getBytes(StandardCharsets.UTF_8);
        batch.add(HttpData.wrap(read, 0, 15));
        batch.add(text("data: {\"c\":2}\n\n"));
        batch.add(text("data: [DONE]\n\n"));
        endTurn();
        assertEquals(1, written.size());
        HttpData out = written.get(0);
        assertEquals("data: {\"a\":1}\n\ndata: {\"c\":2}\n\ndata: [DONE]\n\n", out.toStringUtf8());
        assertTrue(out.isPooled() && out.byteBuf().isDirect(), "handed to the socket without another copy");
        out.close();
        assertEquals(0, taken.get(0).refCnt());
    }

    @Test
    void theLastFramesCarryTheEndOfTheStream() {
        batch.add(text("a"));
        batch.add(text("b"));
        assertTrue(batch.finish());
        assertTrue(written.get(0).isEndOfStream());
        assertEquals("ab", written.get(0).toStringUtf8());
        written.get(0).close();
        endTurn(); // the queued flush finds nothing more
        assertEquals(1, written.size());
        assertEquals(false, batch.finish());
    }

    @Test
    void discardedFramesGiveTheirBufferBack() {
        batch.add(text("a"));
        batch.add(text("b"));
        batch.discard();
        endTurn();
        assertTrue(written.isEmpty());
        assertEquals(0, taken.get(0).refCnt());
    }
}
