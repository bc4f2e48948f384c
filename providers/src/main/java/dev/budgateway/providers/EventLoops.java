package dev.budgateway.providers;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;

/** Running work on an exchange's event loop without a needless hop when already on it. */
public final class EventLoops {

    private EventLoops() {}

    public static void run(Executor loop, Runnable task) {
        if (loop instanceof EventExecutor ee && ee.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    public static EventExecutor executor(Executor loop) {
        if (loop instanceof EventExecutor ee) {
            return ee;
        }
        throw new IllegalArgumentException("not a Netty event loop: " + loop);
    }
}
